// POST /_lesson/progress, where a trainee's exercise checks report their verdicts (authenticated as
// that trainee, exactly as a Handle API write is), and GET /_admin/class/progress, the class model
// behind the instructor's board (admin token or the live page's session).
import type { FastifyInstance, FastifyReply, preHandlerAsyncHookHandler } from 'fastify';
import { authenticate } from '../../handle/auth.js';
import { Rc } from '../../handle/envelope.js';
import { isTls, peerCertificate } from '../../http/connection.js';
import { replyHandleError } from '../../http/handle-replies.js';
import type { HandleStore } from '../../storage/store.js';
import { currentState } from '../../data-folder/provisioning-state.js';
import { PROGRESS_PATH } from '../../data-folder/credentials.js';
import { findTrainee } from '../class/roster.js';
import type { ClassActivity } from './activity.js';
import { classProgress, type StuckRules } from './model.js';
import { parseReport, REPORT_BODY_LIMIT, ReportError } from './report.js';

export interface ClassProgressOptions {
  store: HandleStore;
  activity: ClassActivity;
  guard: preHandlerAsyncHookHandler;
  rules: StuckRules;
  /** The lesson's exercise ids, when the server was told them. */
  exercises: string[];
}

function refuseReport(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="handle"');
  return replyHandleError(reply, status, Rc.authenticationNeeded, message);
}

export default async function classProgressRoutes(app: FastifyInstance, options: ClassProgressOptions): Promise<void> {
  const { store } = options;
  // Unreadable bodies (bad JSON, too large, another media type) are the caller's mistake, said Handle-style.
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    if (error.statusCode === 413) return replyHandleError(reply, 413, Rc.invalidValue, `a progress report is at most ${REPORT_BODY_LIMIT} bytes of JSON`);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return replyHandleError(reply, error.statusCode, Rc.invalidValue, `unreadable report: ${error.message}`);
    throw error;
  });

  app.post(PROGRESS_PATH, { bodyLimit: REPORT_BODY_LIMIT }, async (request, reply) => {
    const overTls = isTls(request.raw);
    const authentication = authenticate({ authorization: request.headers.authorization, overTls, peerCertificate: peerCertificate(request.raw) }, store);
    if (authentication.kind === 'failed') return refuseReport(reply, 401, `authentication failed: ${authentication.reason}`);
    if (authentication.kind === 'anonymous') {
      return refuseReport(
        reply,
        401,
        overTls
          ? 'a progress report needs the trainee\'s credentials: Basic "300:<prefix>/<name>" with their password, or their client certificate'
          : "a progress report needs the trainee's credentials over HTTPS (credentials sent over plain HTTP are not trusted)",
      );
    }
    const identity = `${authentication.identity.index}:${authentication.identity.handle}`;
    request.identity = identity;
    const handle = authentication.identity.handle;
    const slash = handle.indexOf('/');
    const trainee = currentState(store) && slash > 0 ? findTrainee(currentState(store)!, handle.slice(slash + 1)) : undefined;
    if (!trainee || trainee.passwordIdentity.replace(/^\d+:/, '').toUpperCase() !== handle.toUpperCase()) {
      return refuseReport(reply, 403, `${identity} is not a trainee of this class: only trainees' checks report progress`);
    }
    let report: ReturnType<typeof parseReport>;
    try {
      report = parseReport(request.body);
    } catch (error) {
      if (error instanceof ReportError) return replyHandleError(reply, 400, Rc.invalidValue, error.message);
      throw error;
    }
    // The trainee is who authenticated, never a field of the body: nobody can report for someone else.
    store.addProgress({ trainee: handle, ...report, received: new Date().toISOString() });
    return reply.code(204).send();
  });

  app.get('/_admin/class/progress', { preHandler: options.guard }, async () =>
    classProgress({
      roster: currentState(store),
      reports: store.progressReports(),
      lastChanges: store.lastChangeByIdentity(),
      activity: options.activity,
      knownExercises: options.exercises,
      rules: options.rules,
      now: Date.now(),
    }),
  );
}
