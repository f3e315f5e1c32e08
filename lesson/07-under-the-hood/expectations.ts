// Key outputs chapter 7 must show when executed.
export const expectations: RegExp[] = [
  // The certificate names the identity.
  /subject: UID=301:\S+\/USER01\s+CN=301:\S+\/USER01/,
  // Create, read, overwrite.
  /PUT https:\/\/\S+\/api\/handles\/\S+\n  → HTTP 201\n  \{"responseCode":1,/,
  /GET https:\/\/\S+\/api\/handles\/\S+\n  → HTTP 200\n  \{"responseCode":1,"handle":"[^"]+","values":\[/,
  /PUT https:\/\/\S+\/api\/handles\/[^?\s]+\n  → HTTP 200\n  \{"responseCode":1,/,
  // One value by index: added (201), then replaced (200), read alone.
  /PUT https:\/\/\S+\?index=2\n  → HTTP 201/,
  /PUT https:\/\/\S+\?index=2\n  → HTTP 200/,
  /"values":\[\{"index":2,"type":"TYPE","data":\{"format":"string","value":"dataset"\}/,
  // The resolver redirects.
  /GET http:\/\/\S+\n  → HTTP 302\n  location: http:\/\/\S+\/files\/surveys\.csv/,
  // Deleting a value twice, then the handle; the handle is gone.
  /DELETE https:\/\/\S+\?index=2\n  → HTTP 400\n  \{"responseCode":200,/,
  /GET https:\/\/\S+\n  → HTTP 404\n  \{"responseCode":100,/,
  // HS_ADMIN permissions decoded bit by bit, and the admin group.
  /index 101: administrator 200:0\.NA\/\S+, permissions 100000000001/,
  /bit 11  1  may list handles/,
  /bit  0  1  may add handle/,
  /301:\S+\/USER01  ← you, by certificate \(HS_PUBKEY\)/,
  /300:\S+\/USER01  ← you, by password \(HS_SECKEY\)/,
  // The identity handle is the instructor's: even one's own password is not readable.
  /\?index=300\n  → HTTP 403\n  \{"responseCode":400,/,
  /identity handle administered by 300:0\.NA\/\S+/,
  /HS_SECKEY among the public values: false/,
  // The four refusals.
  /PUT http:\/\/\S+\n  → HTTP 403\n  \{"responseCode":402,/,
  /→ HTTP 401\n  www-authenticate: Basic realm="handle"\n  www-authenticate: Handle sessionId="[^"]+", nonce="[^"]+"\n  \{"responseCode":402,/,
  /user name as sent: 300%3A\S+\/USER01\n[^\n]+\n  → HTTP 401\n(  www-authenticate: [^\n]+\n)+  \(empty body\)/,
  /11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448\?index=2\n  → HTTP 403\n  \{"responseCode":400,/,
  // curl command lines with the credentials' files.
  /curl -X PUT --cacert '[^']+' --cert '[^']+' --key '[^']+' -H 'Authorization: Handle clientCert="true"'/,
  /curl -i 'http:\/\/\S+\/11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448'/,
  /-u "300%3A\S+\/USER01:\$HANDLE_PASSWORD"/,
  // Teaching faults, switched on with the token of the local data folder: a busy server, retries, a timeout.
  /admin token found in \S+admin-token: this notebook can switch faults on/,
  /HandleServerBusyError: read 11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448: HTTP 503, responseCode 3 \(Server too busy: [^)]*\): the server is too busy/,
  /handle 11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448, HTTP 503, responseCode 3, tries: 1/,
  /read 11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448 with retries, after about \d+ s/,
  /the server is too busy; gave up after 3 tries/,
  /HandleTimeoutError: no answer to https:\/\/\S+ within 500 ms/,
  /with timeoutMs 5000: 11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448/,
  /faults on: 100% answered 503, until /,
  /faults on: \+1500 ms per request, until /,
  /faults off/,
];
