// The SQLite store on its own: one row per value, empty handles, the change journal, and reverse
// look-ups answered through the (type, data) index rather than by scanning every value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HandleStore } from '../../mock-server/storage/store.js';
import { parseValueInput } from '../../mock-server/handle/value-codec.js';
import type { StoredValue } from '../../mock-server/vocabulary/model.js';

function values(...specs: Array<[number, string, string]>): StoredValue[] {
  return specs.map(([index, type, data]) => ({ ...parseValueInput({ index, type, data }, 'test'), timestamp: 1 }));
}

test('a handle created with no values exists, reads as an empty record and is listed', () => {
  const store = HandleStore.open(':memory:');
  store.replaceRecord('21.T/empty', [], { actor: 'test', action: 'create' });
  assert.equal(store.exists('21.t/EMPTY'), true);
  assert.deepEqual(store.getValues('21.T/empty'), []);
  assert.deepEqual(store.listHandles('21.T').handles, ['21.T/EMPTY']);
  store.deleteHandle('21.T/empty', { actor: 'test', action: 'delete' });
  assert.equal(store.exists('21.T/empty'), false);
  assert.equal(store.getValues('21.T/empty'), undefined);
});

test('exact reverse look-ups use the (type, data) index, and so do wildcards with a literal start', () => {
  const store = HandleStore.open(':memory:');
  const exact = store.explainSearch([{ type: 'CHECKSUM', patterns: ['abc'] }]);
  assert.match(exact, /USING (COVERING )?INDEX handles_by_type_data \(type=\? AND data=\?\)/);
  const prefixed = store.explainSearch([{ type: 'URL', patterns: ['irods:*'] }]);
  assert.match(prefixed, /USING (COVERING )?INDEX handles_by_type_data \(type=\? AND data>\? AND data<\?\)/);
  assert.doesNotMatch(exact, /SCAN handles/);
});

test('search ANDs keys, applies every pattern of a key to one value, and pages', () => {
  const store = HandleStore.open(':memory:');
  store.replaceRecord('21.T/a', values([1, 'URL', 'irods://x/a.dat'], [2, 'CHECKSUM', 'c1']), { actor: 't', action: 'create' });
  store.replaceRecord('21.T/b', values([1, 'URL', 'irods://x/b.dat'], [2, 'CHECKSUM', 'c2']), { actor: 't', action: 'create' });
  store.replaceRecord('21.T/c', values([1, 'URL', 'https://y/c.dat'], [2, 'CHECKSUM', 'c1']), { actor: 't', action: 'create' });
  const search = (fields: Array<{ type: string; patterns: string[] }>, page = 0, limit = 10) => store.search(fields, { limit, page });
  assert.deepEqual(search([{ type: 'URL', patterns: ['irods:*'] }]), ['21.T/A', '21.T/B']);
  assert.deepEqual(
    search([
      { type: 'URL', patterns: ['irods:*'] },
      { type: 'CHECKSUM', patterns: ['c1'] },
    ]),
    ['21.T/A'],
  );
  assert.deepEqual(search([{ type: 'URL', patterns: ['*.dat', '*/b*'] }]), ['21.T/B']);
  assert.deepEqual(search([{ type: 'URL', patterns: ['*'] }], 1, 2), ['21.T/C']);
  assert.deepEqual(search([{ type: 'url', patterns: ['*'] }]), [], 'types match exactly, as bytes on the real servlet');
});

test('the change journal records who changed which indexes and types, never the data', () => {
  const store = HandleStore.open(':memory:');
  store.replaceRecord('21.T/s', values([1, 'URL', 'http://x'], [300, 'HS_SECKEY', 'top-secret']), { actor: '300:21.T/U', action: 'create' });
  store.removeValues('21.T/s', [1], { actor: '300:21.T/U', action: 'remove-values' });
  const events = store.events({ handle: '21.T/s' });
  assert.deepEqual(
    events.map((e) => [e.actor, e.action, e.detail]),
    [
      ['300:21.T/U', 'create', { indexes: [1, 300], types: ['URL', 'HS_SECKEY'] }],
      ['300:21.T/U', 'remove-values', { indexes: [1], types: ['URL'] }],
    ],
  );
  assert.ok(!JSON.stringify(events).includes('top-secret'));
});
