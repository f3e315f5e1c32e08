// Runs the built `pid` command (node bin/pid.cjs) as a real process and collects its exit code, stdout and stderr, for the CLI tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { PID_BIN } from '../support/paths.js';

export interface PidRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface PidRunOptions {
  /** Sets PID_CREDENTIALS; left out, the variable is removed from the environment. */
  credentials?: string;
  cwd?: string;
  env?: Record<string, string>;
}

/** `pid <args>` with a clean environment: no inherited PID_CREDENTIALS, so each test says where credentials come from. */
export function runPid(args: string[], options: PidRunOptions = {}): Promise<PidRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.PID_CREDENTIALS;
  if (options.credentials !== undefined) env.PID_CREDENTIALS = options.credentials;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PID_BIN, ...args], { cwd: options.cwd ?? tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The run ended with `code` and exactly one stderr line `pid: … (hint: …)`, with no stack trace. */
export function assertFailure(run: PidRun, code: number, pattern?: RegExp): void {
  assert.equal(run.code, code, `expected exit ${code}, got ${run.code}; stderr: ${run.stderr}`);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `stderr must be one line, got:\n${run.stderr}`);
  assert.match(lines[0]!, /^pid: .+ \(hint: .+\)$/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  if (pattern) assert.match(lines[0]!, pattern);
}

/** The run succeeded; stderr is empty because it is not a terminal. */
export function assertSuccess(run: PidRun): void {
  assert.equal(run.code, 0, `expected exit 0, got ${run.code}; stderr: ${run.stderr}`);
  assert.equal(run.stderr, '', 'nothing on stderr when it is not a terminal');
}

/** A copy of a credentials file with some keys changed, in the same folder so its relative key paths still work. */
export function variantOfCredentials(file: string, name: string, changes: Record<string, unknown>): string {
  const variant = join(file, '..', name);
  writeFileSync(variant, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...changes }, null, 2));
  return variant;
}

/** A fresh folder inside `parent`; tests pass the mock's data folder, which stop() removes with everything in it. */
export function scratchDir(parent: string): string {
  return mkdtempSync(join(parent, 'pid-cli-test-'));
}
