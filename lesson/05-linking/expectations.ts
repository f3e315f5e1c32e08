// Key outputs chapter 5 must show when executed.
export const expectations: RegExp[] = [
  // The local copy's PID resolves to a file:// address only the trainee's machine can open, under a
  // neutral folder: no home folder, no user name in a public record.
  /A → HTTP 302, Location: file:\/\/\/data\/surveys\.csv\n/,
  // A's record holds REPLICA (the link to B).
  />REPLICA</,
  // The 10320/LOC value is XML with the mirror and its weight.
  /<location id="0" href="https:\/\/mirror\.example\.org\/portal\/surveys\.csv" weight="0\.2" site="mirror" \/>/,
  /mirror listed\?\s+true/,
  // With only the mirror in 10320/LOC, the plain URL gets weight 0: every try lands on the mirror.
  /try 5: HTTP 302, Location: https:\/\/mirror\.example\.org\/portal\/surveys\.csv/,
  /\?locatt=site:mirror\s+→ HTTP 302, Location: https:\/\/mirror\.example\.org/,
  /\?locatt=site:repository → HTTP 302, Location: http:\/\/127\.0\.0\.1:\d+\/files\/surveys\.csv/,
  // exchangeAdditionalUrl keeps id and weight.
  /<location id="0" href="https:\/\/mirror2\.example\.org\/portal\/surveys\.csv" weight="0\.2"/,
  // Removing the last location drops the whole value.
  /after removing the last location, 10320\/LOC = null\s+empty\? true/,
  /\d+ PIDs point into iRODS/,
  // The B2SAFE records show EUDAT's linking types.
  />EUDAT\/REPLICA</,
  />EUDAT\/PARENT</,
  />EUDAT\/ROR</,
  /climate original: \S+\/[0-9A-F-]{36}/,
];
