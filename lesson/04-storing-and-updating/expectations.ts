// Key outputs chapter 4 must show when executed.
export const expectations: RegExp[] = [
  /font-family:monospace">TYPE<\/td><td[^>]*>file<\/td>/,
  /md5 of the text "http:\/\/\S+\/files\/surveys\.csv"\n\s*=\s*[0-9a-f]{32}/,
  /md5 of the \d+ downloaded bytes = [0-9a-f]{32}/,
  /same as by hand:\s+true\nsame as the path-string md5:\s+false/,
  /font-family:monospace">CHECKSUM<\/td><td[^>]*>[0-9a-f]{32}<\/td>/,
  /CHECKSUM: [0-9a-f]{32}\n/,
  /GET http:\/\/\S+\/api\/handles\/\S+\n[\s\S]*?\d+\s+CHECKSUM\s+"[0-9a-f]{32}"/,
  /anonymous client authenticates with: none\n\{[\s\S]*?CHECKSUM: '[0-9a-f]{32}'/,
  // The moved file's URL is a neutral path: no home folder, no user name in a public record.
  /font-family:monospace">URL<\/td><td[^>]*>file:\/\/\/data\/surveys\.csv</,
  /record page: 200 text\/html/,
  /CHECKSUM in the record: [0-9a-f]{32}/,
  /resolver says: 302 Location: file:\/\/\/data\/surveys\.csv\n/,
  /error\.name:\s+TypeError\nerror\.message:\s+fetch failed/,
];
