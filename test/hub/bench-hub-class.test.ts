// The benchmark's section 6 (a class on a real JupyterHub) end to end with two trainees: every figure the
// section promises is reported and measured (not a placeholder), nothing failed, and it leaves no Unix
// user, class folder or process of its class behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hubClass } from '../../bench/sections/hub-class.js';
import { requireJupyterHub, unixUsers } from '../support/class-hub.js';

/** Processes still running as one of the class's Unix users (by uid, from /proc). */
function processesOf(uids: Set<number>): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return uids.has(Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]));
      } catch {
        return false;
      }
    });
}

test('the class benchmark runs two trainees through the hub and reports every figure', { timeout: 6 * 60_000 }, async () => {
  requireJupyterHub();
  const section = await hubClass({ trainees: 2, waves: 2, timeoutMs: 5 * 60_000 });
  const value = (label: RegExp) => {
    const row = section.rows.find((r) => label.test(r.label));
    assert.ok(row, `a row ${label}`);
    return row;
  };
  const seconds = (text: string) => Number(/^([\d.]+) s$/.exec(text)?.[1]);
  const millis = (text: string) => text.split(' / ').map((part) => Number(/^([\d.]+) ms$/.exec(part)?.[1]));

  const bare = millis(value(/bare `node -e 0` start/).value)[0]!;
  assert.ok(bare > 0 && bare < 5000, `bare node start ${bare}`);
  for (const label of [/alone: spawn to server ready/, /alone: kernel start to first/, /alone: spawn to first output/]) {
    const row = value(label);
    assert.ok(millis(row.value)[0]! > bare, `${row.label}: ${row.value} is longer than a bare node start`);
    assert.ok(Number(row.ratio) > 1, `${row.label}: its ratio against node -e 0`);
  }
  assert.ok(seconds(value(/every server up/).value) > 0);
  assert.ok(seconds(value(/every trainee has the first output/).value) >= seconds(value(/every server up/).value), 'the first output comes after the server');
  const [p50, p95, p99] = millis(value(/same-cell wave p50/).value);
  assert.ok(p50! > 0 && p50! <= p95! && p95! <= p99!, 'wave percentiles in order');
  assert.match(value(/same-cell wave/).label, /\(4 cells\)/, 'two trainees, two waves');
  assert.match(value(/peak memory of the trainees/).ratio!, /^\d+ MB\/trainee$/);
  const memory = section.data.memoryKb as { traineesKb: number; kernelKb: number; single: { traineesKb: number } };
  // Two Jupyter servers and two tslab kernels weigh far more than 200 MB: the sampler saw them.
  assert.ok(memory.traineesKb > 200 * 1024, `trainees' processes ${memory.traineesKb} kB`);
  assert.ok(memory.kernelKb > 50 * 1024 && memory.kernelKb < memory.traineesKb, `largest kernel ${memory.kernelKb} kB`);
  assert.ok(memory.single.traineesKb > 0 && memory.single.traineesKb < memory.traineesKb, 'one trainee alone weighs less than the class');
  const cpu = section.data.memoryKb as { traineesCpuMs: number; kernelsCpuMs: number; serviceKb: number; serviceCpuMs: number };
  // The class's compile service holds TypeScript for every kernel (over a second of CPU to start, over 100 MB);
  // each kernel still starts Node, tslab and the lesson's modules and runs the cells.
  assert.ok(cpu.serviceKb > 100 * 1024 && cpu.serviceCpuMs > 1000, `compile service ${cpu.serviceKb} kB, ${cpu.serviceCpuMs} ms of CPU`);
  assert.ok(cpu.kernelsCpuMs > 500, `kernels' CPU ${cpu.kernelsCpuMs} ms`);
  assert.match(value(/compile service/).ratio!, /^\d+ MB\/trainee$/);
  assert.ok(cpu.kernelsCpuMs < cpu.traineesCpuMs, 'the servers used CPU too');
  assert.ok(seconds(value(/CPU of the trainees' processes, per trainee/).value) > 0.5);
  assert.equal(value(/failures/).value, '0', JSON.stringify(section.data.failures));

  const trainees = section.data.trainees as { user: string; serverReadyMs: number; firstOutputMs: number; cellMs: number[]; waveMs: number[] }[];
  assert.deepEqual(
    trainees.map((t) => t.user),
    ['trainee01', 'trainee02'],
  );
  for (const trainee of trainees) {
    assert.ok(trainee.firstOutputMs > trainee.serverReadyMs, `${trainee.user}: output after the server`);
    assert.ok(trainee.cellMs.length > 5, `${trainee.user} ran chapter 1`);
    assert.equal(trainee.waveMs.length, 2);
  }

  const prefix = section.data.unixPrefix as string;
  assert.match(prefix, /^t[0-9a-f]{6}-$/);
  assert.deepEqual(unixUsers(prefix), [], 'the Unix users are removed');
  assert.equal(existsSync(section.data.classDir as string), false, 'the class folder is removed');
  const uids = section.data.unixUids as number[];
  assert.equal(uids.length, 2, 'a Unix user for each trainee while the class ran');
  assert.deepEqual(processesOf(new Set(uids)), [], 'no server or kernel of the class is left running');
});
