// The one table of differences between the mock and the recorded real server that the conformance replay
// accepts, each with the reason it is not a mock bug; the comparison code may only relax a check by naming a row here.

export interface DocumentedDifference {
  /** What differs and how the replay compares it instead. */
  what: string;
  /** Why the difference is expected rather than a defect of the mock. */
  reason: string;
}

export const DIFFERENCES = {
  timestamps: {
    what: 'value timestamps (JSON "timestamp", Timestamp column of resolver pages) are compared by pattern YYYY-MM-DDThh:mm:ssZ',
    reason: 'the replay runs at another moment than the recording, so the server clock gives other times',
  },
  'generated-public-key': {
    what: 'the RSA modulus "n" of HS_PUBKEY 301:21.T12995/USER01 is compared by pattern (base64url); "kty" and "e" exactly',
    reason: "the scenario issues its own client certificate: the real server's key pair is not in the transcripts",
  },
  'site-key-and-port': {
    what: '/api/site: the server public key modulus and the HTTP interface port are compared by pattern',
    reason: 'the mock has its own TLS key and listens on a random free port, the real server on 8000',
  },
  'minted-suffix': {
    what: 'suffixes minted by ?mintNewSuffix=true are compared as UUID v4 (lower case when created, upper case in listings)',
    reason: 'a minted suffix is random by design',
  },
  'session-challenge': {
    what: 'the sessionId and nonce of the "Handle" WWW-Authenticate challenge are compared by shape; the error="..." part exactly',
    reason: 'both are random per response on the real server too',
  },
  'redirect-expires': {
    what: 'the Expires header of proxy redirects must be a valid date between now and two days ahead',
    reason: 'it is computed from the time of the request and the value TTL',
  },
  'listing-order': {
    what: 'handle and prefix listings are compared as sets; a page of a listing by its size and by membership in the full listing',
    reason: 'the real server lists in its storage hash order, the mock in name order; neither order is specified',
  },
  'java-parser-wording': {
    what: 'messages raised by a Java parser (Gson, Integer.parseInt, ...) are compared by their exception class chain only',
    reason: "the text after the classes is the Java library's own wording (column numbers, JVM helpful NPE text), which a Node server cannot reproduce",
  },
  'explained-java-message': {
    what: 'for the servlet\'s own "java.lang.Exception: <text>" messages the mock may append " (<explanation>)"; the real text must be kept verbatim in front',
    reason: 'deliberate teaching aid of the mock for trainees; a client matching on the real text (or its start) still works',
  },
  'value-order': {
    what: 'values of a record (JSON "values", rows of resolver values pages) may come in index order where the real server kept the body order of the PUT that wrote the record; a redirect may go to the first public URL value in index order (the real server\'s rule applied to the index-ordered record the transcripts wrote), when the real server went to another URL value of that record and no 10320/LOC took part',
    reason:
      "the mock models SQL storage (one row per value, read back ordered by index, which B2HANDLE's own integration tests expect); the recording server used file storage, which keeps the body order; the Handle protocol does not fix an order",
  },
} as const satisfies Record<string, DocumentedDifference>;

export type DifferenceId = keyof typeof DIFFERENCES;
