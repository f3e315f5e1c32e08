// The projector's model without a browser: journal entries become per-trainee steps, and a journal
// replaced behind the live view's back (reset or state import by the CLI or the admin API) empties the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HandleStore } from '../../mock-server/storage/store.js';
import { storedValue as value } from '../support/stored-values.js';
import { ClassFeed } from '../../mock-server/instructor/live/class-feed.js';
import { RequestLog } from '../../mock-server/instructor/live/request-log.js';
import { FaultSwitch } from '../../mock-server/instructor/faults/switch.js';
import { traineeName } from '../../mock-server/instructor/live/progress.js';

test('journal entries by identities become steps; seeding does not; a cleared journal empties the table', () => {
  const store = HandleStore.open(':memory:');
  const feed = new ClassFeed(store, new RequestLog(), new FaultSwitch());
  store.replaceRecord('21.T12995/seed', [value(1, 'URL', 'http://seed')], { actor: 'pid-mock', action: 'create' });
  store.replaceRecord('21.T12995/a', [value(1, 'URL', 'http://x/1'), value(2, 'CHECKSUM', 'c')], { actor: '301:21.T12995/USER02', action: 'create' });
  store.putValues('21.T12995/a', [value(3, 'TYPE', 'file')], { actor: '300:21.T12995/USER02', action: 'add-values' });
  store.putValues('21.T12995/a', [value(1, 'URL', 'http://x/2')], { actor: '300:21.T12995/USER02', action: 'add-values' });
  let snapshot = feed.snapshot();
  assert.deepEqual(
    snapshot.trainees.map((t) => t.name),
    ['USER02'],
    'password and certificate identities share one row',
  );
  const steps = snapshot.trainees[0]!.steps;
  assert.deepEqual([steps.registered, steps.typeAndChecksum, steps.movedUrl, steps.linkedReplica], [true, true, true, false]);
  assert.equal(snapshot.totals.changes, 3);

  store.clear();
  store.replaceRecord('21.T12995/seed', [value(1, 'URL', 'http://seed')], { actor: 'pid-mock', action: 'create' });
  snapshot = feed.snapshot();
  assert.deepEqual(snapshot.trainees, []);
  assert.equal(snapshot.totals.changes, 0);
  feed.close();
  store.close();
});

test('trainee names come from the identity handle', () => {
  assert.equal(traineeName('300:21.T12995/USER01'), 'USER01');
  assert.equal(traineeName('301:21.T12995/alice.smith'), 'alice.smith');
  assert.equal(traineeName('300:0.NA/21.T12995'), 'instructor');
});
