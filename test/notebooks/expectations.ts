// Key outputs each chapter must show when executed (learner copy and master alike), one file per
// chapter in expectations/: what a trainee should see, checked on the real outputs, not on exit codes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const chapterExpectations: Record<string, RegExp[]> = Object.fromEntries(
  readdirSync(join(__dirname, 'expectations'))
    .filter((f) => /^\d\d-.*\.ts$/.test(f))
    .map((f) => [f.replace(/\.ts$/, ''), (require(join(__dirname, 'expectations', f)) as { expectations: RegExp[] }).expectations]),
);
