// Key outputs chapter 0 must show when executed.
export const expectations: RegExp[] = [
  /the suffix of 11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448 is cf8956a2-39d3-11e5-8a18-f31aa6f4d448/,
  /without await: Promise \{/,
  /number of values: 6/,
  /'URL',\s+'EUDAT\/CHECKSUM'/,
  /where the Handle leads: http:\/\/127\.0\.0\.1:\d+\/files\/landing\/11304\//,
  /the cell ran, and this failed: TypeError: Invalid URL/,
];
