// The token-protected class API under /_admin/class (docs/class-admin-api.md): list, ensure, read,
// download and revoke trainees, so that a hub can provision each trainee when they first log in.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HandleStore } from '../../storage/store.js';
import { replyHandleError } from '../../http/handle-replies.js';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { Rc } from '../../handle/envelope.js';
import { ClassError, ensureTrainees, listTrainees, readRoster, requireTrainee, revokeTrainee, traineeHandle } from './roster.js';
import { bundleFiles, bundleFolderName, bundleZip, checkCredentialsFolder } from './bundle.js';
import type { ServerAddresses } from '../../data-folder/addresses.js';
import type { TraineeRecord } from '../../data-folder/provisioning-state.js';

export interface ClassRouteOptions {
  store: HandleStore;
  stateDir: string;
  guard: preHandlerAsyncHookHandler;
  addresses: ServerAddresses;
}

function fail(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof ClassError) return replyHandleError(reply, error.status, error.responseCode, error.message);
  if (error instanceof TypeError) return replyHandleError(reply, 400, Rc.invalidValue, error.message);
  throw error;
}

export default async function classRoutes(app: FastifyInstance, options: ClassRouteOptions): Promise<void> {
  const guard = options.guard;
  const actor = 'admin API';
  // Unreadable bodies (bad JSON, a JSON content type with no body) are the caller's mistake, said Handle-style.
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return replyHandleError(reply, error.statusCode, Rc.invalidValue, `unreadable request: ${error.message}`);
    throw error;
  });

  const bundle = (trainee: TraineeRecord, created: boolean, folder: string | undefined) => ({
    name: trainee.name,
    handle: traineeHandle(trainee),
    passwordIdentity: trainee.passwordIdentity,
    certificateIdentity: trainee.certificateIdentity,
    created,
    files: bundleFiles(options.stateDir, readRoster(options.store), trainee, options.addresses, folder === undefined ? 'bare' : { folder }),
  });

  app.get('/_admin/class/trainees', { preHandler: guard }, async () => ({ trainees: listTrainees(options.store) }));

  app.put<{ Params: { name: string } }>('/_admin/class/trainees/:name', { preHandler: guard }, async (request, reply) => {
    try {
      const body = request.body;
      let folder: string | undefined;
      if (body !== undefined && body !== null && body !== '') {
        if (typeof body !== 'object' || Array.isArray(body))
          throw new TypeError('the body must be a JSON object such as {"credentialsFolder": "/home/jovyan/credentials"}, or empty');
        const unknown = Object.keys(body).filter((k) => k !== 'credentialsFolder');
        if (unknown.length) throw new TypeError(`unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}: only "credentialsFolder" is accepted`);
        const given = (body as { credentialsFolder?: unknown }).credentialsFolder;
        if (given !== undefined) folder = checkCredentialsFolder(given);
      }
      const [result] = await ensureTrainees(options.store, options.stateDir, [request.params.name], { actor });
      return reply.code(result!.created ? 201 : 200).send(bundle(result!.trainee, result!.created, folder));
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.get<{ Params: { name: string } }>('/_admin/class/trainees/:name', { preHandler: guard }, async (request, reply) => {
    try {
      return bundle(requireTrainee(readRoster(options.store), request.params.name), false, undefined);
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.get<{ Params: { name: string } }>('/_admin/class/trainees/:name/bundle.zip', { preHandler: guard }, async (request, reply) => {
    try {
      const state = readRoster(options.store);
      const trainee = requireTrainee(state, request.params.name);
      const zip = bundleZip(options.stateDir, state, trainee, options.addresses);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${bundleFolderName(trainee)}.zip"`)
        .send(Buffer.from(zip));
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.delete<{ Params: { name: string } }>('/_admin/class/trainees/:name', { preHandler: guard }, async (request, reply) => {
    try {
      const { trainee } = revokeTrainee(options.store, request.params.name, actor);
      return { name: trainee.name, revoked: true };
    } catch (error) {
      return fail(reply, error);
    }
  });
}
