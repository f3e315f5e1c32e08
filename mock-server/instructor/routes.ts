// Registers the instructor's APIs (class roster, state) on the mock server, all behind the admin token.
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { HandleStore } from '../storage/store.js';
import classRoutes from './class/routes.js';
import stateRoutes from './state/routes.js';
import type { ServerAddresses } from '../data-folder/addresses.js';

export interface InstructorOptions {
  stateDir: string;
  addresses: ServerAddresses;
  afterImport: () => void;
}

export default async function instructorRoutes(
  app: FastifyInstance,
  options: InstructorOptions & { store: HandleStore; guard: preHandlerAsyncHookHandler },
): Promise<void> {
  await app.register(classRoutes, { store: options.store, stateDir: options.stateDir, guard: options.guard, addresses: options.addresses });
  await app.register(stateRoutes, { store: options.store, stateDir: options.stateDir, guard: options.guard, afterImport: options.afterImport });
}
