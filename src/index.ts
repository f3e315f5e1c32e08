// pid-handson: a small typed client for Handle PIDs (B2HANDLE's API in TypeScript) — the entry point.
export { HandleClient, type HandleClientOptions, type RegisterOptions, type ModifyOptions, type RetrieveOptions } from './client.js';
export { PIDClientCredentials, type CredentialsConfig } from './credentials.js';
export * from './errors.js';
export { checkHandleSyntax, parseIdentity } from './handle-syntax.js';
export { checksumOfUrl, checksumOfFile, type ChecksumAlgorithm } from './checksum.js';
export {
  createDispatcher,
  handleBasicAuthorization,
  realmBasicAuthorization,
  retryPolicy,
  type TransportOptions,
  type RetryOptions,
  type RetryPolicy,
} from './transport/index.js';
export { KERNEL_INFORMATION_PROFILE, type TypedEntries, type TypedRecord, type TypedRecordOptions, type TypeDefinition } from './typed-records.js';
export { runBatch, type BatchOptions, type BatchResult } from './batch.js';
export {
  CITATION_MEDIA_TYPES,
  citationAccept,
  CslItemSchema,
  DataCiteJsonSchema,
  type CitationFormat,
  type CitationOptions,
  type CslItem,
  type DataCiteJson,
} from './citation.js';
export * as loc10320 from './loc10320.js';
export type { HandleRecordJson, HandleValue, HandleValueInput, HsAdminValue } from './types.js';

import { HandleClient } from './client.js';
/** B2HANDLE's class name, so the Python lesson maps one to one. @example const client = await EUDATHandleClient.withCredentials(cred); */
export const EUDATHandleClient = HandleClient;
export type EUDATHandleClient = HandleClient;
