// `pid-mock class progress`: the class model of the server running on a data folder, read from its
// admin API (the request log lives in the server process, so the file alone cannot tell it), as JSON
// or as a table for a terminal.
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { dataFolderLayout } from '../../data-folder/layout.js';
import { InstructorCommandError } from '../command-error.js';
import type { ClassProgressView, TraineeRow } from './model.js';

interface AdminTarget {
  url: string;
  token: string;
  ca: Buffer | undefined;
}

/** The running server's URL and admin token as its data folder (or PID_MOCK_ADMIN_TOKEN) gives them. */
function adminTarget(dataDir: string, url: string | undefined): AdminTarget {
  const layout = dataFolderLayout(dataDir);
  const tokenFile = layout.instructor.adminToken;
  const token = process.env.PID_MOCK_ADMIN_TOKEN || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  if (!token) throw new InstructorCommandError(`no admin token in ${tokenFile} (is ${dataDir} the folder "pid-mock serve --data" uses?)`);
  let where = url;
  if (!where) {
    try {
      where = String((JSON.parse(readFileSync(layout.instructor.credentialsFile, 'utf8')) as { handle_server_url?: unknown }).handle_server_url ?? '');
    } catch {
      where = '';
    }
    if (!where)
      throw new InstructorCommandError(`${layout.instructor.credentialsFile} does not name the server; start "pid-mock serve --data ${dataDir}" or give --url`);
  }
  const caFile = layout.credentials.ca;
  return { url: where.replace(/\/+$/, ''), token, ca: existsSync(caFile) ? readFileSync(caFile) : undefined };
}

export async function fetchClassProgress(dataDir: string, url: string | undefined): Promise<ClassProgressView> {
  const target = adminTarget(dataDir, url);
  const dispatcher = new Agent({ connect: { ...(target.ca ? { ca: target.ca } : {}), timeout: 5000 } });
  let status: number;
  let text: string;
  try {
    const response = await request(`${target.url}/_admin/class/progress`, { dispatcher, headers: { authorization: `Bearer ${target.token}` } });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    throw new InstructorCommandError(
      `no server answers at ${target.url} (${(error as Error).message}); start it with "pid-mock serve --data ${dataDir}" first`,
    );
  } finally {
    await dispatcher.close();
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status !== 200 || !json || typeof json !== 'object' || !('trainees' in json)) {
    const message = (json as { message?: unknown } | undefined)?.message;
    throw new InstructorCommandError(`the server at ${target.url} refused: HTTP ${status}${typeof message === 'string' ? ` (${message})` : ''}`);
  }
  return json as ClassProgressView;
}

/** One character per verdict, so a row reads left to right through the lesson. */
export const VERDICT_SYMBOLS: Record<string, string> = { correct: '✓', wrong: '✗', error: '!', unattempted: '·' };

function clock(iso: string | null): string {
  return iso ? iso.slice(11, 19) : 'never';
}

function solved(row: TraineeRow): number {
  return Object.values(row.exercises).filter((v) => v === 'correct').length;
}

/** The model as a terminal table: a summary line, one line per trainee, and why the stuck ones are stuck. */
export function progressTable(view: ClassProgressView): string {
  const count = (state: string) => view.trainees.filter((t) => t.state === state).length;
  const lines = [
    `${view.trainees.length} trainee${view.trainees.length === 1 ? '' : 's'}: ${count('stuck')} stuck, ${count('working')} working, ${count('done')} done, ${count('not-started')} not started`,
    `exercises: ${view.exercises.length ? view.exercises.join(' ') : '(none reported yet)'}   (${Object.entries(VERDICT_SYMBOLS)
      .map(([v, s]) => `${s} ${v}`)
      .join(', ')}; times UTC)`,
    `  ${'NAME'.padEnd(16)} ${'STATE'.padEnd(11)} ${'LAST SEEN'.padEnd(9)} ${'SOLVED'.padEnd(7)} ${'ERRORS'.padEnd(6)} ${'PLANNED'.padEnd(7)} EXERCISES`,
  ];
  for (const row of view.trainees) {
    const marks = view.exercises.map((id) => VERDICT_SYMBOLS[row.exercises[id] ?? 'unattempted'] ?? '?').join(' ');
    lines.push(
      `  ${row.name.padEnd(16)} ${row.state.padEnd(11)} ${clock(row.lastSeen).padEnd(9)} ${`${solved(row)}/${view.exercises.length}`.padEnd(7)} ${String(row.unexpectedErrors).padEnd(6)} ${String(row.plannedErrors).padEnd(7)} ${marks}`,
    );
  }
  const stuck = view.trainees.filter((t) => t.stuckBecause);
  if (stuck.length) lines.push('', 'stuck:', ...stuck.map((t) => `  ${t.name}: ${t.stuckBecause}`));
  return `${lines.join('\n')}\n`;
}
