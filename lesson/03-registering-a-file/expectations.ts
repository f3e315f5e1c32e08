// Key outputs chapter 3 must show when executed.
export const expectations: RegExp[] = [
  /status:\s+200\ntype:\s+text\/csv/,
  /v1: \S+\/[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-/,
  /v4: \S+\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/,
  /the warm-up Handle:\s*\{\s*version: '1',\s*created: '2015-08-03T/,
  /registered: \S+\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/,
  /font-family:monospace">URL<\/td>/,
  /\?noredirect"/,
  /redirected:\s+true\ngot the data from:\s+http:\/\/\S+\/files\/surveys\.csv/,
  /Content-Disposition: attachment; filename="surveys\.csv"/,
  /wget --trust-server-names \(last segment after the redirect\): surveys\.csv/,
  /plain wget, curl -L -O \(last segment of the URL you typed\):\s+[0-9a-f]{8}-[0-9a-f-]{27}\n/,
  /curl -L -O -J http:\/\/\S+\/[0-9a-f]{8}-[0-9a-f-]{27}\n/,
  /error\.name:\s+HandleAlreadyExistsError\nerror\.message:.*already exists/,
  /before: http:\/\/\S+\/files\/\nafter:\s+http:\/\/\S+\/files\/surveys\.csv/,
  /after deleteHandle: null/,
];
