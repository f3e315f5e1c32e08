// The state API: GET /_admin/state downloads the class's whole state (records, identities, journal)
// as the versioned export file, PUT /_admin/state replaces it with an uploaded one after checking it.
import type { FastifyInstance } from 'fastify';
import type { HandleStore } from '../../storage/store.js';
import { replyHandleError } from '../../http/handle-replies.js';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { Rc } from '../../handle/envelope.js';
import { jsonDepth, tooDeepMessage } from '../../http/json-depth.js';
import { exportState, importState } from './snapshot.js';
import { checkStateFile, StateFileError } from './schema.js';

export interface StateRouteOptions {
  store: HandleStore;
  stateDir: string;
  guard: preHandlerAsyncHookHandler;
  /** Called after an import, e.g. to rewrite the credentials files for the imported identities. */
  afterImport: () => void;
}

/** A class of 500 with their journals is a few megabytes; the API's usual 1 MiB would refuse it. */
const STATE_BODY_LIMIT = 256 * 1024 * 1024;

export default async function stateRoutes(app: FastifyInstance, options: StateRouteOptions): Promise<void> {
  const guard = options.guard;
  // In this plugin only: a state file is read with plain JSON.parse (after the usual depth bound), so a
  // `__proto__` key reaches checkStateFile, which refuses it naming its field, instead of Fastify's
  // parser refusing it with no word of where it is. Nothing is spread or assigned before that check.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const nesting = jsonDepth(body as string);
    if (nesting.exceededAt !== undefined) {
      done(Object.assign(new Error(tooDeepMessage(nesting.exceededAt)), { statusCode: 400 }), undefined);
      return;
    }
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(Object.assign(new Error((error as Error).message), { statusCode: 400 }), undefined);
    }
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return replyHandleError(reply, error.statusCode, Rc.invalidValue, `unreadable state file: ${error.message}`);
    throw error;
  });

  app.get('/_admin/state', { preHandler: guard }, async (_request, reply) => {
    const file = exportState(options.store, options.stateDir);
    return reply.header('content-disposition', `attachment; filename="pid-handson-state-${file.exportedAt.replace(/[:.]/g, '-')}.json"`).send(file);
  });

  app.put('/_admin/state', { preHandler: guard, bodyLimit: STATE_BODY_LIMIT }, async (request, reply) => {
    try {
      const file = checkStateFile(request.body);
      const counts = importState(options.store, options.stateDir, file);
      options.afterImport();
      return { status: 'imported', ...counts };
    } catch (error) {
      if (error instanceof StateFileError) return replyHandleError(reply, 400, Rc.invalidValue, error.message);
      throw error;
    }
  });
}
