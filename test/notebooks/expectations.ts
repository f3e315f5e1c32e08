// Key outputs each chapter must show when executed (learner copy and master alike), kept beside the
// chapter in lesson/NN-name/expectations.ts: what a trainee should see, checked on the real outputs,
// not on exit codes.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const LESSON = join(__dirname, '..', '..', 'lesson');

export const chapterExpectations: Record<string, RegExp[]> = Object.fromEntries(
  readdirSync(LESSON)
    .filter((folder) => /^\d\d-[a-z0-9-]+$/.test(folder) && existsSync(join(LESSON, folder, 'expectations.ts')))
    .map((folder) => [folder, (require(join(LESSON, folder, 'expectations.ts')) as { expectations: RegExp[] }).expectations]),
);
