// The typed-PID services the lesson's chapter on machine-actionable PIDs needs: a Typed PID Maker-shaped
// API (`POST /api/v1/pit/pid/` validates against the registry and registers, `?dryrun=true` only validates;
// `GET /api/v1/pit/pid/<pid>` reads a typed record) and the Data Type Registry's JSON view of a type or
// profile (`GET /dtr/objects/<pid>`), which the registry's Handle records point at.
import { v4 as uuidv4 } from 'uuid';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, formatReference } from '../handle/auth.js';
import { HandleApiError } from '../handle/envelope.js';
import type { Caller, HandleService } from '../handle/handle-service.js';
import { isTls, peerCertificate } from '../http/connection.js';
import { jsonDepth, tooDeepMessage } from '../http/json-depth.js';
import { decodeHandlePath, HandleNameError, prefixOf } from '../vocabulary/handle-names.js';
import type { HandleValueJson } from '../vocabulary/model.js';
import type { DataTypeRegistry } from '../typed/registry.js';
import { validateRecord } from '../typed/validation.js';
import {
  entriesOfHandleValues,
  handleValuesOf,
  pidRecordJson,
  readPidRecord,
  RecordShapeError,
  SIMPLE_RECORD_TYPE,
  simpleRecordJson,
} from '../typed/pid-record.js';

export interface PitRoutesOptions {
  service: HandleService;
  registry: DataTypeRegistry;
}

const TYPED_PID_PATH = '/api/v1/pit/pid/';
const DTR_OBJECTS = '/dtr/objects/';

/** The HS_ADMIN a new typed record gets: the prefix's admin group, as the client's registerHandle writes it. */
const ADMIN_PERMISSIONS = '011111110011';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

/** An error in Spring Boot's shape, as the Typed PID Maker answers one; `extra` adds the mock's own fields. */
function replyProblem(request: FastifyRequest, reply: FastifyReply, status: number, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply
    .code(status)
    .type('application/json')
    .send({
      timestamp: new Date().toISOString(),
      status,
      error: REASONS[status] ?? 'Error',
      message,
      path: (request.raw.url ?? '').split('?')[0],
      ...extra,
    });
}

function queryFlag(request: FastifyRequest, name: string): boolean {
  const value = new URLSearchParams((request.raw.url ?? '').split('?')[1] ?? '').get(name);
  return value !== null && value.toLowerCase() === 'true';
}

function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The prefix whose admin group the caller belongs to: its own identity's, or the one a `0.NA/<prefix>` instructor runs. */
function callersPrefix(identityHandle: string): string {
  return identityHandle.toUpperCase().startsWith('0.NA/') ? identityHandle.slice('0.NA/'.length) : prefixOf(identityHandle);
}

export default async function pitRoutes(app: FastifyInstance, options: PitRoutesOptions): Promise<void> {
  const { service, registry } = options;

  // Bodies are read here so that a wrong media type or broken JSON is answered in the service's own shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'internal error');
    return replyProblem(request, reply, status, status === 500 ? 'Internal error' : error.message);
  });

  const nameOf = (attribute: string, given?: Map<string, string>) => given?.get(attribute) ?? registry.attributeType(attribute)?.name;

  /** Who calls: wrong credentials are refused with 401 before anything else, as on the Handle API. */
  function callerOf(request: FastifyRequest): Caller | 'failed' {
    const overTls = isTls(request.raw);
    const authentication = authenticate(
      { authorization: request.headers.authorization, overTls, peerCertificate: peerCertificate(request.raw) },
      service.store,
    );
    if (authentication.kind === 'failed') return 'failed';
    request.identity = authentication.kind === 'authenticated' ? formatReference(authentication.identity) : undefined;
    return { authentication, overTls };
  }

  /** The answer to a write without a usable identity: 401 for wrong or missing credentials, 403 over plain HTTP. */
  function refuseWrite(request: FastifyRequest, reply: FastifyReply, caller: Caller | 'failed'): FastifyReply {
    if (caller !== 'failed' && !caller.overTls)
      return replyProblem(request, reply, 403, 'Credentials count only over HTTPS: send the request to the https:// address');
    reply.header('www-authenticate', 'Basic realm="handle"');
    return caller === 'failed'
      ? replyProblem(request, reply, 401, 'Identity not verified: check the user name and password (or certificate) of your credentials')
      : replyProblem(request, reply, 401, 'Registering a typed PID needs your Handle credentials (Basic or a client certificate)');
  }

  const register = async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(request);
    if (caller === 'failed' || caller.authentication.kind !== 'authenticated') return refuseWrite(request, reply, caller);
    const { authentication, overTls } = caller;

    const mediaType = mediaTypeOf(request.headers['content-type']);
    if (mediaType !== 'application/json' && mediaType !== SIMPLE_RECORD_TYPE) {
      return replyProblem(
        request,
        reply,
        415,
        `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported: send application/json or ${SIMPLE_RECORD_TYPE}`,
      );
    }
    const text = typeof request.body === 'string' ? request.body : '';
    const nesting = jsonDepth(text);
    if (nesting.exceededAt !== undefined) return replyProblem(request, reply, 400, tooDeepMessage(nesting.exceededAt));
    let parsed: ReturnType<typeof readPidRecord>;
    try {
      parsed = readPidRecord(JSON.parse(text), mediaType === SIMPLE_RECORD_TYPE);
    } catch (error) {
      if (error instanceof SyntaxError) return replyProblem(request, reply, 400, `The body is not JSON: ${error.message}`);
      if (error instanceof RecordShapeError) return replyProblem(request, reply, 400, `The body is not a PID record: ${error.message}`);
      throw error;
    }
    const { entries, names } = parsed;

    // The PID is minted first, so that a refusal names the record as the service does.
    const pid = `${callersPrefix(authentication.identity.handle)}/${uuidv4()}`;
    const verdict = validateRecord(entries, registry);
    const record = pidRecordJson(pid, entries, (a) => nameOf(a, names));
    if (!verdict.valid) {
      return replyProblem(request, reply, 400, `Validation of record ${pid} failed. Reason:\n${verdict.reason}`, {
        'pid-record': JSON.stringify(record),
        attribute: verdict.attribute ?? null,
        rule: verdict.rule,
      });
    }
    const answer = mediaTypeOf(request.headers.accept) === SIMPLE_RECORD_TYPE ? simpleRecordJson(pid, entries) : record;
    const contentType = mediaTypeOf(request.headers.accept) === SIMPLE_RECORD_TYPE ? SIMPLE_RECORD_TYPE : 'application/json';
    if (queryFlag(request, 'dryrun')) return reply.code(200).type(contentType).send(answer);

    const values = [
      ...handleValuesOf(entries),
      { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: `0.NA/${prefixOf(pid)}`, index: 200, permissions: ADMIN_PERMISSIONS } } },
    ];
    try {
      service.put(pid, { values }, { indexes: undefined, overwrite: false, mintNewSuffix: false }, { authentication, overTls });
    } catch (error) {
      if (!(error instanceof HandleApiError)) throw error;
      // The Handle server's refusal (prefix not homed here, no permission on it), passed on in the service's shape.
      return replyProblem(
        request,
        reply,
        error.httpStatus,
        `The Handle server refused to register ${pid}: ${error.detail ?? `responseCode ${error.responseCode}`}`,
        {
          responseCode: error.responseCode,
        },
      );
    }
    return reply.code(201).type(contentType).header('location', `${TYPED_PID_PATH}${pid}`).send(answer);
  };
  app.post(TYPED_PID_PATH, register);
  app.post(TYPED_PID_PATH.slice(0, -1), register);

  app.get(`${TYPED_PID_PATH}*`, async (request, reply) => {
    let pid: string;
    try {
      pid = decodeHandlePath((request.raw.url ?? '').split('?')[0]!.slice(TYPED_PID_PATH.length));
    } catch (error) {
      if (error instanceof HandleNameError) return replyProblem(request, reply, 400, error.message);
      throw error;
    }
    if (!pid.includes('/')) return replyProblem(request, reply, 400, `${pid} is not a PID: write prefix/suffix`);
    const caller = callerOf(request);
    if (caller === 'failed') return refuseWrite(request, reply, caller);
    let values: HandleValueJson[];
    try {
      const envelope = service.resolve(pid, { indexes: [], types: [], publicOnly: undefined }, caller);
      values = typeof envelope.body === 'object' && Array.isArray(envelope.body.values) ? (envelope.body.values as HandleValueJson[]) : [];
    } catch (error) {
      if (!(error instanceof HandleApiError)) throw error;
      if (error.httpStatus === 404) return replyProblem(request, reply, 404, `PID ${pid} not found`);
      return replyProblem(request, reply, error.httpStatus, `${pid}: ${error.detail ?? `responseCode ${error.responseCode}`}`);
    }
    const entries = entriesOfHandleValues(values);
    const simple = mediaTypeOf(request.headers.accept) === SIMPLE_RECORD_TYPE;
    const record = pidRecordJson(pid, entries, (a) => nameOf(a));
    if (queryFlag(request, 'validation')) {
      const verdict = validateRecord(entries, registry);
      if (!verdict.valid) {
        return replyProblem(request, reply, 400, `Validation of record ${pid} failed. Reason:\n${verdict.reason}`, {
          'pid-record': JSON.stringify(record),
          attribute: verdict.attribute ?? null,
          rule: verdict.rule,
        });
      }
    }
    return reply
      .code(200)
      .type(simple ? SIMPLE_RECORD_TYPE : 'application/json')
      .send(simple ? simpleRecordJson(pid, entries) : record);
  });

  app.get(`${DTR_OBJECTS}*`, async (request, reply) => {
    let pid: string;
    try {
      pid = decodeHandlePath((request.raw.url ?? '').split('?')[0]!.slice(DTR_OBJECTS.length));
    } catch (error) {
      if (error instanceof HandleNameError) return replyProblem(request, reply, 400, error.message);
      throw error;
    }
    const view = registry.view(pid);
    if (!view) return replyProblem(request, reply, 404, `${pid} is not a type or profile in this Data Type Registry`);
    return reply.code(200).type('application/json').send(view);
  });
}
