// Key outputs chapter 1 must show when executed.
export const expectations: RegExp[] = [
  /11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448\s+→ HTTP 302, Location: http:\/\/127\.0\.0\.1:\d+\/files\/landing\/11304\//,
  /10\.3389\/fgene\.2013\.00289\s+→ HTTP 302/,
  /ark:\/13030\/tf5p30086k\s+→ HTTP 302/,
  /Handle API on the ARK: 400/,
  /HS_ADMIN/,
];
