// Key outputs chapter 6 must show when executed.
export const expectations: RegExp[] = [
  // The search account is named, its password is not.
  /reverse look-up: as \S+/,
  // md5 over the bytes differs from md5 over the path string.
  /md5 of the bytes:\s+[0-9a-f]{32}\s+md5 of the path string:\s+[0-9a-f]{32} ← wrong/,
  // The record holds the checksum, and the checksum search finds the PID.
  />CHECKSUM</,
  /\d+ PID\(s\) have CHECKSUM = [0-9a-f]{32}\s+is ours among them\? true/,
  /→ URL (file|https?):\/\//,
  // Wildcards: the B2SAFE PIDs that point into iRODS.
  /\d+ PIDs point to iRODS, for example:\s+\S+ → irods:\/\//,
  /irods:\/\/\*\/portal_surveys\/\*\s+→ \d+ PIDs/,
  /surveys\.csv \(no wildcard\)\s+→ 0 PIDs/,
  // Other types need allowedSearchKeys: [], and several keys are ANDed.
  /ReverseLookupError — Cannot search for key "EUDAT\/CHECKSUM"/,
  /EUDAT\/CHECKSUM = sha2:\*\s+: \d+\s+both \(AND\): iRODS files with a SHA-256: \d+/,
  // Paging.
  /page 0: 10 PIDs/,
  /all pages together: (\d+) — one search without paging: \1/,
  // Wrong search credentials, and the Handle identity as a search account.
  /ReverseLookupError — reverse look-up: Authentication failed \(HTTP 401\)/,
  /as a search account: reverse look-up: Authentication failed \(HTTP 401\)/,
  // The raw request, and HS_SECKEY refused with a 4xx.
  /HTTP 200 application\/json/,
  /HTTP 4\d\d "Searching via HS_SECKEY entries is not allowed!"/,
];
