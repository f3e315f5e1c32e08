// Registers the instructor's APIs (class roster, state) on the mock server, all behind the admin token.
import type { FastifyInstance } from 'fastify';
import type { HandleStore } from '../store.js';
import classRoutes from './class/routes.js';
import stateRoutes from './state/routes.js';
import type { ServerAddresses } from './class/bundle.js';

export interface InstructorOptions {
  stateDir: string;
  addresses: ServerAddresses;
  afterImport: () => void;
}

export default async function instructorRoutes(app: FastifyInstance, options: InstructorOptions & { store: HandleStore; adminToken: string }): Promise<void> {
  await app.register(classRoutes, { store: options.store, stateDir: options.stateDir, adminToken: options.adminToken, addresses: options.addresses });
  await app.register(stateRoutes, { store: options.store, stateDir: options.stateDir, adminToken: options.adminToken, afterImport: options.afterImport });
}
