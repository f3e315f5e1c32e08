// The client's transport: how a request reaches a Handle server and how its reply comes back.
// dispatcher — the connection pool and TLS; authorization — the headers servers accept; retry — when to
// try again; reply — reading a reply and the error for an unexpected one; network-errors — no reply at
// all; planned-failure — the label of a request meant to fail; handle-transport — the one send that puts
// these together.
export { createDispatcher, CLI_USER_AGENT, DEFAULT_TIMEOUT_MS, DEFAULT_USER_AGENT, type TransportOptions } from './dispatcher.js';
export {
  CLIENT_CERTIFICATE_AUTHORIZATION,
  handleBasicAuthorization,
  pythonQuote,
  realmBasicAuthorization,
  writeAuthorization,
  type WriteAuthorization,
  type WriteIdentity,
} from './authorization.js';
export { isRetryableConnectionError, mayRetry, retryAfterMs, retryDelay, retryPolicy, type RetryOptions, type RetryPolicy } from './retry.js';
export { errorFor, isSuccess, parseReply, responseCodeOf, type HandleResponse } from './reply.js';
export { connectionError } from './network-errors.js';
export { ANY_REPLY, HandleTransport, type HandleRequest, type TransportSetup } from './handle-transport.js';
export {
  asPlannedFailure,
  isPlannedFailureLabel,
  markPlannedFailure,
  outsidePlannedFailure,
  plannedFailureLabel,
  PLANNED_FAILURE_ENVIRONMENT,
  PLANNED_FAILURE_HEADER,
} from './planned-failure.js';
