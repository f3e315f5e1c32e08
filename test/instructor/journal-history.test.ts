// The journal behind the history page: values before and after every change, a journal file from
// before the history existed gains the columns in place, and the events list keeps leaving values out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HandleStore } from '../../mock-server/storage/store.js';
import type { StoredValue } from '../../mock-server/vocabulary/model.js';
import { storedValue as value } from '../support/stored-values.js';
import { temporaryFolder } from '../support/temporary-folders.js';

test('every change keeps the touched values before and after it', () => {
  const store = HandleStore.open(':memory:');
  const actor = { actor: '300:21.T12995/USER01' };
  store.replaceRecord('21.T12995/a', [value(1, 'URL', 'http://x/1'), value(2, 'SECRET', 's', false)], { ...actor, action: 'create' });
  store.putValues('21.T12995/a', [value(1, 'URL', 'http://x/2')], { ...actor, action: 'add-values' });
  store.removeValues('21.T12995/a', [2], { ...actor, action: 'remove-values' });
  store.deleteHandle('21.T12995/A', { ...actor, action: 'delete' });
  const history = store.history('21.t12995/a');
  assert.deepEqual(
    history.map((h) => h.action),
    ['create', 'add-values', 'remove-values', 'delete'],
  );
  const text = (values: StoredValue[]) => values.map((v) => `${v.index}:${v.type}=${v.data.toString()}${v.publicRead ? '' : ' (restricted)'}`);
  assert.deepEqual(
    history.map((h) => [text(h.before), text(h.after)]),
    [
      [[], ['1:URL=http://x/1', '2:SECRET=s (restricted)']],
      [['1:URL=http://x/1'], ['1:URL=http://x/2']],
      [['2:SECRET=s (restricted)'], []],
      [['1:URL=http://x/2'], []],
    ],
  );
  // The admin events list stays as it was: indexes and types, no value data.
  const listed = store.events({ handle: '21.T12995/a' });
  assert.deepEqual(Object.keys(listed[0]!).sort(), ['action', 'actor', 'at', 'detail', 'handle', 'id']);
  assert.ok(!JSON.stringify(listed).includes('http://x/1'));
  assert.deepEqual(
    store.identityEventsWithValues(0, 10).map((e) => e.action),
    ['create', 'add-values', 'remove-values', 'delete'],
  );
  store.replaceRecord('21.T12995/seed', [value(1, 'URL', 'u')], { actor: 'pid-mock', action: 'create' });
  assert.equal(store.identityEventsWithValues(0, 10).length, 4, 'seeding is not a trainee step');
  store.close();
});

test('a journal from before the history page gains its value columns when opened', () => {
  const dir = temporaryFolder('journal-');
  const file = join(dir, 'handles.sqlite');
  const old = new Database(file);
  old.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, handle TEXT NOT NULL, detail TEXT NOT NULL);
    INSERT INTO events (at, actor, action, handle, detail) VALUES ('2026-01-01T00:00:00.000Z', '300:21.T12995/USER01', 'create', '21.T12995/OLD', '{"indexes":[1],"types":["URL"]}');`);
  old.close();
  const store = HandleStore.open(file);
  const [entry] = store.history('21.T12995/OLD');
  assert.equal(entry?.action, 'create');
  assert.deepEqual([entry?.before, entry?.after], [[], []], 'old entries have no values to show');
  store.replaceRecord('21.T12995/OLD', [value(1, 'URL', 'http://new')], { actor: '300:21.T12995/USER01', action: 'replace' });
  assert.equal(store.history('21.T12995/OLD')[1]?.after[0]?.data.toString(), 'http://new');
  store.close();
  rmSync(dir, { recursive: true, force: true });
});
