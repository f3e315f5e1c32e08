// The shapes a Handle server's REST API sends and receives (Handle.Net v9 JSON), as the client sees them.

/** One value of a handle record, as returned by `GET /api/handles/<handle>`. */
export interface HandleValue {
  index: number;
  type: string;
  data: { format: string; value: unknown };
  /** Only present when not the default "1110" (adminRead, adminWrite, publicRead, publicWrite). */
  permissions?: string;
  ttl?: number | string;
  timestamp?: string;
  references?: Array<{ handle: string; index: number }>;
}

/** A whole record: `{"responseCode":1,"handle":"…","values":[…]}`. */
export interface HandleRecordJson {
  responseCode: number;
  handle: string;
  values: HandleValue[];
}

/** A value as the client sends it in a PUT: `data` may be a bare string (B2HANDLE does this). */
export interface HandleValueInput {
  index: number;
  type: string;
  data: string | { format: string; value: unknown };
  ttl?: number | string;
  permissions?: string;
  timestamp?: string;
}

/** The value of an HS_ADMIN: who administers a handle, with the 12-bit permission string. */
export interface HsAdminValue {
  handle: string;
  index: number | string;
  permissions: string;
}
