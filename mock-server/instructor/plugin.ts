// The instructor's features on one server: the request log hook, teaching faults, the live view and
// per-handle history. Registered without encapsulation so its hooks see every request of the server.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HandleService } from '../handle/handle-service.js';
import type { AdminSessions } from './admin-session.js';
import { sendBusy } from './faults/answers.js';
import faultRoutes from './faults/routes.js';
import { FaultSwitch } from './faults/switch.js';
import historyRoutes from './history/routes.js';
import { ClassFeed } from './live/class-feed.js';
import { areaOf, RequestLog } from './live/request-log.js';
import liveRoutes from './live/routes.js';
import { ClassActivity } from './class-progress/activity.js';
import classProgressRoutes from './class-progress/routes.js';
import boardRoutes from './board/routes.js';
import { DEFAULT_STUCK_RULES, type StuckRules } from './class-progress/model.js';
import { HUB_CALLBACK_PATH, HubLogin, type HubLoginSettings } from './hub-login.js';

export interface InstructorOptions {
  service: HandleService;
  /** The server's admin guard, shared with the other /_admin routes. */
  sessions: AdminSessions;
  reset: () => void;
  /** Called after every reset of the server, whichever route asked for it. */
  afterReset?: Set<() => void> | undefined;
  reseed: () => void;
  /** When a trainee counts as stuck (`pid-mock serve --stuck-after-wrong`, `--stuck-idle`). */
  stuckRules?: StuckRules | undefined;
  /** The lesson's exercise ids (`pid-mock serve --exercises`), so "done" means the whole lesson. */
  exercises?: string[] | undefined;
  /** Set when the server runs as a JupyterHub service: its instructor pages log hub admins in through the hub. */
  hubLogin?: HubLoginSettings | undefined;
}

async function instructorFeatures(app: FastifyInstance, options: InstructorOptions): Promise<void> {
  const sessions = options.sessions;
  const requests = new RequestLog();
  const faults = new FaultSwitch();
  const feed = new ClassFeed(options.service.store, requests, faults);
  const activity = new ClassActivity();
  const stopActivity = requests.subscribe((record) => activity.add(record));
  // A reset empties the journal and the progress reports: the errors and sightings before it go too.
  const forgetActivity = () => activity.clear();
  options.afterReset?.add(forgetActivity);
  app.addHook('onClose', async () => {
    faults.off();
    feed.close();
    stopActivity();
    options.afterReset?.delete(forgetActivity);
  });

  // Admin routes and health probes are never faulted: the instructor must always be able to switch faults off.
  // Callback hooks, not async ones: they run on every request, and most of the time they have nothing to do.
  app.addHook('onRequest', (request: FastifyRequest, reply, done) => {
    if (!faults.maybeOn()) return done();
    const area = areaOf(request.url);
    if (area === 'admin' || area === 'files' || area === 'lesson') return done();
    const decision = faults.decide(area);
    if (!decision) return done();
    const answer = () => (decision.fail ? void sendBusy(reply, area) : done());
    if (decision.delayMs) setTimeout(answer, decision.delayMs);
    else answer();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    requests.noteAnswer(request, reply, payload);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    requests.record(request, reply);
    done();
  });

  const hubLogin = options.hubLogin ? new HubLogin(options.hubLogin, sessions) : undefined;
  // Quieter than info: the app's request line would carry the URL, and with it the hub's login code.
  if (hubLogin) app.get(HUB_CALLBACK_PATH, { logLevel: 'warn' }, (request, reply) => hubLogin.callback(request, reply));

  await app.register(faultRoutes, { faults, sessions });
  await app.register(liveRoutes, {
    sessions,
    hubLogin,
    feed,
    reset: options.reset,
    reseed: options.reseed,
    handleCount: () => options.service.store.allHandles().length,
  });
  await app.register(historyRoutes, { service: options.service, sessions });
  await app.register(classProgressRoutes, {
    store: options.service.store,
    activity,
    guard: sessions.guard(),
    rules: options.stuckRules ?? DEFAULT_STUCK_RULES,
    exercises: options.exercises ?? [],
  });
  await app.register(boardRoutes, { sessions, hubLogin });
}

// fastify-plugin's marker, without the dependency: the hooks above must apply to the whole server.
(instructorFeatures as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export default instructorFeatures;
