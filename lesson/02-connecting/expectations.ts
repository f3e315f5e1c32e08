// Key outputs chapter 2 must show when executed.
export const expectations: RegExp[] = [
  /found through:\s+(the variable PID_CREDENTIALS|the mock server's data folder)/,
  /prefix:\s+\S+\nauthentication: certificate/,
  /reverselookup_password\s+\(hidden\)/,
  /this client authenticates with: none\nerror\.name:\s+HandleAuthenticationError\nerror\.message:.*no credentials for writing\nerror\.hint:.*withCredentials/,
  /this client authenticates with: certificate/,
  /identity:\s+301:\S+\/USER01 → \{ index: 301, handle: '\S+\/USER01' \}/,
  /authentication:\s+password\nclient ready, authenticates with: password/,
  /font-family:monospace">HS_PUBKEY<\/td>/,
  /values anyone can read: 100:HS_ADMIN, 301:HS_PUBKEY\n/,
  /font-family:monospace">HS_VLIST<\/td>/,
  /error\.name:\s+HandlePermissionError\nerror\.message:.*HTTP 403, responseCode 400/,
  /error\.name:\s+CredentialsFormatError\nerror\.message:.*Username was provided, but no password/,
  /error\.name:\s+CredentialsFormatError\nerror\.message:.*"handle_server_url" must be a URL/,
  /clients closed/,
];
