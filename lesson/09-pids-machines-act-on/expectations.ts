// Key outputs chapter 9 must show when executed.
export const expectations: RegExp[] = [
  // A type's PID is a Handle: the resolver sends a browser on to the registry's entry.
  /resolver → HTTP 302, Location: http:\/\/127\.0\.0\.1:\d+\/dtr\/objects\/21\.T11148\/2f314c8fe5fb6a0063a8/,
  // resolveType gives the definition with its JSON Schema.
  /name:\s+license\s+description:[^\n]+SPDX/,
  /"pattern": "\^https:\/\/spdx\\\\\.org\/licenses\//,
  // The Helmholtz profile and its five required attributes.
  /HelmholtzKernelInformationProfile \(21\.T11148\/b9b76f887845e32d29f7\)/,
  /required: kernelInformationProfile, digitalObjectType, digitalObjectLocation, dateCreated, license/,
  // The checksum entry is a JSON object with the SHA-256 of the file's bytes.
  /"21\.T11148\/82e2503c49209e987740": "\{\\"sha256sum\\":\\"sha256 [0-9a-f]{64}\\"\}"/,
  // The dry run validates and registers nothing.
  /valid; it would get the PID \S+\/[0-9a-f-]{36}\s+registered\? false/,
  /registered: \S+\/[0-9a-f-]{36}/,
  // The record read back through the service, with names beside the type PIDs.
  /kernelInformationProfile\s+21\.T11148\/076759916209e5d62bd5\s+21\.T11148\/b9b76f887845e32d29f7/,
  /license\s+21\.T11148\/2f314c8fe5fb6a0063a8\s+https:\/\/spdx\.org\/licenses\/CC-BY-4\.0\.html/,
  // The REST view: the value types are the type PIDs.
  /\d+ {2}21\.T11148\/2f314c8fe5fb6a0063a8 {2}"https:\/\/spdx\.org\/licenses\/CC-BY-4\.0\.html"/,
  // The refusals: a missing mandatory attribute, then a value against the type's pattern.
  /error\.name:\s+TypedRecordRefusedError\s+error\.attribute: 21\.T11148\/2f314c8fe5fb6a0063a8\s+error\.rule:\s+mandatory/,
  /error\.reason:\s+Attribute 21\.T11148\/2f314c8fe5fb6a0063a8 \(license\) missing, but is mandatory in profile 21\.T11148\/b9b76f887845e32d29f7/,
  /error\.rule:\s+schema:pattern\s+error\.reason: Attribute 21\.T11148\/2f314c8fe5fb6a0063a8 \(license\) has a non-complying value CC-BY-4\.0/,
  // Content negotiation: a browser still gets the redirect, a program the metadata.
  /text\/html → HTTP 302, Location: http:\/\/127\.0\.0\.1:\d+\/files\/landing\/10\.5072\/surveys-2017/,
  /application\/x-bibtex → HTTP 200, Content-Type: application\/x-bibtex[^\n]*\s+@\w+\{[^\n]+\s+author = \{Ernest, Morgan/,
  /--- RIS ---\s+TY {2}- DATA[\s\S]*?DO {2}- 10\.5072\/surveys-2017[\s\S]*?ER {2}-/,
  /--- APA ---\s+Ernest, M\., Brown, J\., [^\n]+\(2017\)\. Portal Project rodent surveys/,
  /title:\s+Portal Project rodent surveys[^\n]*\s+authors: Ernest, Brown, Valone, White/,
  /application\/pdf → HTTP 406\s+406 Not Acceptable[\s\S]*?application\/x-bibtex/,
];
