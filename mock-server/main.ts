// The `pid-mock` command: serve the mock Handle server, and manage identities and prefixes of a data
// folder. Flags may also come from PID_MOCK_* environment variables (used by the container image).
import { createWriteStream } from 'node:fs';
import { Command, Option } from 'commander';
import { startMockServer, DEFAULT_PREFIX } from './server.js';
import { DEFAULT_QUOTAS } from './handle/quotas.js';
import { DEFAULT_LOOKUP_BOUNDS } from './routes/hrls.js';
import { addIdentity, addPrefix } from './data-folder/admin.js';
import { adminTokenFromEnvironment } from './instructor/admin-token.js';
import { hubLoginFromEnvironment } from './instructor/hub-login.js';
import { registerClassCommands } from './instructor/class/cli.js';
import { TRAINEE_NAME } from './instructor/class/roster.js';
import { registerStateCommands } from './instructor/state/cli.js';
import { faultsCommand } from './instructor/faults/command.js';
import { ClassProgressSettingError, parseExerciseList, parseStuckRules } from './instructor/class-progress/settings.js';

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** A yes/no variable: unset, empty, 0, false or no is off; anything else is on. */
function flagFromEnvironment(name: string): boolean {
  const value = env(name);
  return value !== undefined && !/^(0|false|no|off)$/i.test(value.trim());
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function cli(): Command {
  const program = new Command('pid-mock').description('An offline Handle.Net server for learning to work with Persistent Identifiers').showHelpAfterError();

  program
    .command('serve')
    .description('serve the REST API, resolver pages, reverse look-up and stand-in repository (HTTP and HTTPS on one port)')
    .addOption(new Option('--host <host>', 'address to bind').default(env('PID_MOCK_HOST') ?? '127.0.0.1'))
    .addOption(new Option('--port <port>', 'port for HTTP and HTTPS').default(env('PID_MOCK_PORT') ?? '8000'))
    .addOption(new Option('--data <dir>', 'data folder (SQLite, certificates, credentials)').default(env('PID_MOCK_DATA') ?? './data'))
    .option('--memory', 'keep handles in memory only (certificates go to a temporary folder)', false)
    .option('--prefix <prefix>', "prefix to home (repeatable; the first is the trainees' prefix)", collect)
    .option('--public-host <host>', 'host name written into credentials and seed URLs', env('PID_MOCK_PUBLIC_HOST'))
    .option('--quiet', 'no request log on stderr', false)
    .option(
      '--plain',
      'behave as a plain Handle.Net server: no stand-in repository, reverse look-up, class board, progress or /_admin (try the lesson as at home)',
      flagFromEnvironment('PID_MOCK_PLAIN'),
    )
    .option(
      '--base-path <path>',
      "also serve everything under this path (JupyterHub's /services/<name>/ proxy keeps it)",
      env('PID_MOCK_BASE_PATH') ?? env('JUPYTERHUB_SERVICE_PREFIX'),
    )
    .option('--log-file <file>', 'append the request log (JSON lines) to FILE instead of stderr')
    .option(
      '--stuck-after-wrong <n>',
      'the class board calls a trainee stuck after the same exercise is wrong this many times (default 3)',
      env('PID_MOCK_STUCK_AFTER_WRONG'),
    )
    .option('--stuck-idle <duration>', 'or after this long without a request while others progress, e.g. 10m (default)', env('PID_MOCK_STUCK_IDLE'))
    .option(
      '--exercises <ids>',
      'the lesson\'s exercise ids, e.g. 1.1,1.2,2.1: "done" then means all of them (default: those reported so far)',
      env('PID_MOCK_EXERCISES'),
    )
    .option(
      '--reserve <names>',
      "trainee names kept for identities before they are provisioned, e.g. alice,bob (a hub's roster): no trainee may create them",
      env('PID_MOCK_RESERVED_NAMES'),
    )
    .option('--quota-handles <n>', `handles one identity may have created (that still exist; default ${DEFAULT_QUOTAS.handles})`, env('PID_MOCK_QUOTA_HANDLES'))
    .option('--quota-bytes <n>', `bytes the records an identity created may hold (default ${DEFAULT_QUOTAS.bytes})`, env('PID_MOCK_QUOTA_BYTES'))
    .option('--quota-values <n>', `values one record may hold (default ${DEFAULT_QUOTAS.valuesPerRecord})`, env('PID_MOCK_QUOTA_VALUES'))
    .option(
      '--lookup-page-size <n>',
      `most handles one reverse look-up answer lists (default ${DEFAULT_LOOKUP_BOUNDS.pageSize})`,
      env('PID_MOCK_LOOKUP_PAGE_SIZE'),
    )
    .option(
      '--lookup-max-bytes <n>',
      `most bytes one reverse look-up answer holds (default ${DEFAULT_LOOKUP_BOUNDS.maxBytes})`,
      env('PID_MOCK_LOOKUP_MAX_BYTES'),
    )
    .addHelpText(
      'after',
      '\nExample:\n  pid-mock serve --data ./demo-data --port 18000\n  curl --cacert ./demo-data/credentials/ca.pem https://127.0.0.1:18000/api/handles/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448',
    )
    .action(
      async (opts: {
        host: string;
        port: string;
        data: string;
        memory: boolean;
        prefix?: string[];
        publicHost?: string;
        quiet: boolean;
        plain: boolean;
        basePath?: string;
        logFile?: string;
        stuckAfterWrong?: string;
        stuckIdle?: string;
        exercises?: string;
        reserve?: string;
        quotaHandles?: string;
        quotaBytes?: string;
        quotaValues?: string;
        lookupPageSize?: string;
        lookupMaxBytes?: string;
      }) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          program.error(`--port must be a number from 0 to 65535, not "${opts.port}"`, { exitCode: 2 });
        }
        const prefixes = opts.prefix ?? env('PID_MOCK_PREFIX')?.split(/[\s,]+/) ?? [DEFAULT_PREFIX];
        let classProgress: { stuckRules: ReturnType<typeof parseStuckRules>; exercises: string[] | undefined };
        try {
          classProgress = {
            stuckRules: parseStuckRules({ wrongAttempts: opts.stuckAfterWrong, idle: opts.stuckIdle }),
            exercises: parseExerciseList(opts.exercises),
          };
        } catch (error) {
          if (error instanceof ClassProgressSettingError) program.error(error.message, { exitCode: 2 });
          throw error;
        }
        const reservedNames = opts.reserve?.split(/[\s,]+/).filter(Boolean) ?? [];
        const badName = reservedNames.find((name) => !TRAINEE_NAME.test(name));
        if (badName !== undefined) {
          program.error(`--reserve: "${badName}" is not a trainee name (letters, digits, ".", "_", "-"; at most 40, starting with a letter or digit)`, {
            exitCode: 2,
          });
        }
        const count = (flag: string, text: string | undefined, fallback: number): number => {
          if (text === undefined) return fallback;
          const value = Number(text.trim());
          if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
            program.error(`${flag} must be a whole number of at least 1, not "${text}"`, { exitCode: 2 });
          }
          return value;
        };
        const quotas = {
          handles: count('--quota-handles', opts.quotaHandles, DEFAULT_QUOTAS.handles),
          bytes: count('--quota-bytes', opts.quotaBytes, DEFAULT_QUOTAS.bytes),
          valuesPerRecord: count('--quota-values', opts.quotaValues, DEFAULT_QUOTAS.valuesPerRecord),
        };
        const lookupBounds = {
          pageSize: count('--lookup-page-size', opts.lookupPageSize, DEFAULT_LOOKUP_BOUNDS.pageSize),
          maxBytes: count('--lookup-max-bytes', opts.lookupMaxBytes, DEFAULT_LOOKUP_BOUNDS.maxBytes),
        };
        const log = heldBack(opts.logFile ? logFile(opts.logFile) : process.stderr);
        const server = await startMockServer({
          host: opts.host,
          port,
          dataDir: opts.memory ? undefined : opts.data,
          memory: opts.memory,
          prefixes,
          publicHost: opts.publicHost,
          adminToken: adminTokenFromEnvironment(),
          adminTokenSource: env('PID_MOCK_ADMIN_TOKEN_SOURCE'),
          ...classProgress,
          reservedNames,
          quotas,
          lookupBounds,
          basePath: opts.basePath,
          // JupyterHub gives a managed service its API URL, token and OAuth client id.
          hubLogin: hubLoginFromEnvironment(),
          plain: opts.plain,
          // Request log lines go to stderr (or --log-file) so stdout stays the readiness announcement.
          logger: opts.quiet ? false : { level: 'info', stream: log },
        });
        process.stdout.write(
          [
            `pid-mock serving prefix ${server.state.prefixes.join(', ')} on port ${server.port}${opts.plain ? ' as a plain Handle server' : ''}`,
            `  REST API (HTTPS): ${server.httpsUrl}/api/handles/`,
            `  resolver:         ${server.httpUrl}/`,
            ...(opts.plain ? [] : [`  reverse look-up:  ${server.httpsUrl}/hrls/handles`, `  repository:       ${server.httpUrl}/files/`]),
            `  credentials:      ${server.credentialsDir}/cred_file.json (certificate), cred_basic.json (password)`,
            ...(opts.plain ? [] : [`  instructor:       ${server.instructorDir}/ (admin token, instructor credentials)`]),
            'ready',
            '',
          ].join('\n'),
        );
        log.release();
        const stop = async () => {
          await server.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    );

  const identity = program.command('identity').description('manage identities (index:handle holding a password or a certificate key)');
  identity
    .command('add <identity>')
    .description('add an HS_SECKEY (password) and/or an HS_PUBKEY (certificate) identity')
    .option('--data <dir>', 'data folder', env('PID_MOCK_DATA') ?? './data')
    .option('--password <password>', 'password for an HS_SECKEY at this index (generated when neither --password nor --cert is given)')
    .option('--cert <dir>', 'issue a client certificate for this identity into DIR')
    .option('--admin-of <prefix>', 'add the identity to the admin group of this prefix')
    .addHelpText('after', '\nExample:\n  pid-mock identity add 300:21.T12995/USER02 --admin-of 21.T12995')
    .action(async (name: string, opts: { data: string; password?: string; cert?: string; adminOf?: string }) => {
      const result = await addIdentity(opts.data, { identity: name, password: opts.password, certDir: opts.cert, adminOf: opts.adminOf });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });

  const prefix = program.command('prefix').description('manage homed prefixes');
  prefix
    .command('add <prefix>')
    .description('home a prefix and create its prefix handle 0.NA/<prefix> with the instructor as admin')
    .option('--data <dir>', 'data folder', env('PID_MOCK_DATA') ?? './data')
    .action((name: string, opts: { data: string }) => {
      const result = addPrefix(opts.data, name);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });

  registerClassCommands(program);
  registerStateCommands(program);
  program.addCommand(faultsCommand());
  return program;
}

function logFile(path: string): NodeJS.WritableStream {
  const file = createWriteStream(path, { flags: 'a' });
  file.on('error', (error) => {
    process.stderr.write(`pid-mock: cannot write the request log to ${path}: ${error.message}\n`);
    process.exit(1);
  });
  return file;
}

/**
 * A log stream that holds its lines until release(): the server logs while it starts listening, and
 * on a terminal those lines would come before the banner that says where it listens. After that, the
 * lines of one event-loop turn go out in one write (a write per answered request was a tenth of the
 * cost of a resolve); the last turn's lines are written on exit too.
 */
function heldBack(stream: { write(line: string): unknown }): { write(line: string): void; release(): void } {
  let held: string[] | undefined = [];
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    const lines = pending;
    pending = '';
    stream.write(lines);
  };
  process.once('exit', flush);
  return {
    write(line) {
      if (held) {
        held.push(line);
        return;
      }
      if (pending === '') setImmediate(flush);
      pending += line;
    },
    release() {
      const lines = held ?? [];
      held = undefined;
      for (const line of lines) stream.write(line);
    },
  };
}

export async function main(argv: string[]): Promise<void> {
  try {
    await cli().parseAsync(argv);
  } catch (error) {
    // A trainee sees one clear line, never a stack trace.
    process.stderr.write(`pid-mock: ${(error as Error).message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}

export class UsageError extends Error {}

if (require.main === module) void main(process.argv);
