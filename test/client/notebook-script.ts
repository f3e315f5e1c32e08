// Run by notebook.test.ts in a child process: uses the notebook helpers as a plain Node script or a tslab kernel would, printing what happened.
import { join } from 'node:path';
import { exercise, setDisplay, showRecord } from '../../lesson/kit/notebook.js';

// `plain`, or one of the kernel modes with the `dist` folder of a fake tslab package; the fake stands
// in for the kernel's copy of tslab, which this process then has in its module cache as a kernel would.
const [mode = 'plain', fakeTslabDist = ''] = process.argv.slice(2);
if (mode === 'kernel-started' || mode === 'kernel-imported') require(join(fakeTslabDist, 'jupyter.js'));
if (mode === 'kernel-imported') require(join(fakeTslabDist, 'public.js'));

async function main(): Promise<void> {
  showRecord({
    responseCode: 1,
    handle: '21.T12995/SCRIPT',
    values: [{ index: 1, type: 'URL', data: { format: 'string', value: 'https://example.org/surveys.csv' }, ttl: 86400 }],
  });
  const task = exercise<string>({
    id: '0.1',
    title: 'Say x',
    check: (answer) => {
      if (answer === 'boom') throw Object.assign(new Error('it broke'), { hint: 'try x' });
      return answer === 'x' || 'not x';
    },
    hint: ['first hint', 'second hint'],
    solution: 'const answer = "x";',
  });
  for (const answer of ['', 'y', 'boom', 'x']) console.log(`outcome ${await task.check(answer)}`);
  task.hint(2);
  task.solution();
  if (mode === 'plain') {
    setDisplay(() => {
      throw new Error('broken sink');
    });
    console.log(`outcome with a broken sink ${await task.check('x')}`);
  }
}

main().catch((error: unknown) => {
  console.log(`THREW ${String(error)}`);
  process.exitCode = 1;
});
