// `pid-mock faults`: switches teaching faults on (or off) on the server running on a data folder,
// through its admin API with the token from that folder (never a flag, so it stays out of shell history).
import { existsSync, readFileSync } from 'node:fs';
import { dataFolderLayout } from '../../data-folder/layout.js';
import { Command, Option } from 'commander';
import { Agent, request } from 'undici';
import { CLI_FIELDS, FaultInputError, parseFaultSettings, type ActiveFaults, type FaultSettings } from './settings.js';

interface FaultsOptions {
  data: string;
  latency?: string;
  failRate?: string;
  for?: string;
  area?: string;
  url?: string;
}

interface Target {
  url: string;
  token: string;
  ca: Buffer | undefined;
}

function target(command: Command, opts: FaultsOptions): Target {
  const layout = dataFolderLayout(opts.data);
  const tokenFile = layout.instructor.adminToken;
  const token = process.env.PID_MOCK_ADMIN_TOKEN || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  if (!token) command.error(`--data: no admin token in ${tokenFile} (is ${opts.data} the folder \`pid-mock serve --data\` uses?)`, { exitCode: 2 });
  let url = opts.url;
  if (!url) {
    const credentials = layout.instructor.credentialsFile;
    try {
      url = String((JSON.parse(readFileSync(credentials, 'utf8')) as { handle_server_url?: unknown }).handle_server_url ?? '');
    } catch {
      url = '';
    }
    if (!url) command.error(`--data: ${credentials} does not name the server; start \`pid-mock serve --data ${opts.data}\` or give --url`, { exitCode: 2 });
  }
  const caFile = layout.credentials.ca;
  return { url: url.replace(/\/+$/, ''), token, ca: existsSync(caFile) ? readFileSync(caFile) : undefined };
}

async function call(command: Command, where: Target, method: 'GET' | 'PUT' | 'DELETE', body?: unknown): Promise<{ active: boolean } & Partial<ActiveFaults>> {
  const dispatcher = new Agent({ connect: { ...(where.ca ? { ca: where.ca } : {}), timeout: 5000 } });
  try {
    const response = await request(`${where.url}/_admin/faults`, {
      method,
      dispatcher,
      headers: { authorization: `Bearer ${where.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : null,
    });
    const text = await response.body.text();
    let json: { message?: string; faults?: { active: boolean } & Partial<ActiveFaults> } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // Reported below with the status.
    }
    if (response.statusCode !== 200 || !json.faults) {
      command.error(`the server at ${where.url} refused: HTTP ${response.statusCode}${json.message ? ` (${json.message})` : ''}`, { exitCode: 1 });
    }
    return json.faults!;
  } catch (error) {
    if ((error as { code?: string }).code === 'commander.error') throw error;
    command.error(`no server answers at ${where.url} (${(error as Error).message}); start it with \`pid-mock serve --data …\` first`, { exitCode: 1 });
  } finally {
    await dispatcher.close();
  }
}

function describe(faults: { active: boolean } & Partial<ActiveFaults>): string {
  if (!faults.active) return 'Teaching faults are off.';
  const parts = [
    faults.latencyMs ? `+${faults.latencyMs} ms latency` : '',
    faults.failRate ? `${Math.round(faults.failRate * 100)}% of requests answered 503` : '',
  ].filter(Boolean);
  return `Teaching faults on: ${parts.join(', ')} on ${(faults.areas ?? []).join(', ')}, until ${faults.until} (they switch off by themselves).`;
}

export function faultsCommand(): Command {
  const command = new Command('faults');
  command
    .description('slow down or fail a share of requests for a while, to show what clients do when a server is busy')
    .argument('[switch]', '"on" (default, with the flags below), "off", or "status"', 'on')
    .addOption(
      new Option('--data <dir>', 'data folder of the running server (its admin token is read from there)').default(process.env.PID_MOCK_DATA ?? './data'),
    )
    .option('--latency <duration>', 'added to every request, e.g. 800ms or 2s')
    .option('--fail-rate <share>', 'share of requests answered "503 server too busy", from 0 to 1, e.g. 0.2')
    .option('--for <duration>', 'how long until the faults switch off by themselves, e.g. 5m')
    .option('--area <areas>', 'comma-separated: api, resolver, hrls (default all three)')
    .option('--url <url>', 'server URL (default: the one in <data>/instructor/cred_instructor.json)')
    .addHelpText(
      'after',
      '\nExamples:\n  pid-mock faults --latency 800ms --fail-rate 0.2 --for 5m --data ./demo-data\n  pid-mock faults --fail-rate 0.5 --for 2m --area api --data ./demo-data\n  pid-mock faults off --data ./demo-data',
    )
    .action(async (which: string, opts: FaultsOptions) => {
      if (!['on', 'off', 'status'].includes(which)) command.error(`unknown switch "${which}": use on, off or status`, { exitCode: 2 });
      if (which === 'on') {
        let settings: FaultSettings;
        try {
          settings = parseFaultSettings({ latency: opts.latency, failRate: opts.failRate, duration: opts.for, areas: opts.area }, CLI_FIELDS);
        } catch (error) {
          if (error instanceof FaultInputError) command.error(error.message, { exitCode: 2 });
          throw error;
        }
        const faults = await call(command, target(command, opts), 'PUT', {
          latency: settings.latencyMs,
          failRate: settings.failRate,
          for: settings.durationMs,
          areas: settings.areas,
        });
        process.stdout.write(`${describe(faults)}\nSwitch off early: pid-mock faults off --data ${opts.data}\n`);
        return;
      }
      const faults = await call(command, target(command, opts), which === 'off' ? 'DELETE' : 'GET');
      process.stdout.write(`${describe(faults)}\n`);
    });
  return command;
}
