// The Handle record model shared by every part of the mock: the JSON shape of a handle value as the
// Handle.Net REST API emits it (protocol reference §2.2) and the stored form of one value.

/** A value as it appears in REST responses: `data` is always `{format, value}`. */
export interface HandleValueJson {
  index: number;
  type: string;
  data: { format: string; value: unknown };
  /** Present only when not the default "1110" (adminRead, adminWrite, publicRead, publicWrite). */
  permissions?: string;
  ttl: number | string;
  timestamp?: string;
  references?: Array<{ handle: string; index: number }>;
}

/** One stored value: the columns of the real server's SQL `handles` table. */
export interface StoredValue {
  index: number;
  type: string;
  /** Raw value bytes, exactly what the Handle protocol would carry (UTF-8 for strings). */
  data: Buffer;
  /** 0 = relative TTL in seconds, 1 = absolute expiry (epoch seconds). */
  ttlType: 0 | 1;
  ttl: number;
  /** Seconds since the epoch. */
  timestamp: number;
  references: Array<{ handle: string; index: number }>;
  adminRead: boolean;
  adminWrite: boolean;
  publicRead: boolean;
  publicWrite: boolean;
}

/** An identity is a value reference `index:handle` holding an HS_SECKEY or HS_PUBKEY. */
export interface ValueReference {
  index: number;
  handle: string;
}

export const DEFAULT_TTL = 86400;
