// Carries out one bulk operation with the same functions as the single commands, and says what the result file records for it.
import type { HandleClient } from '../../client.js';
import { createPid, readRecord, readValue, relatePids } from '../handle-operations.js';
import { valueText } from '../output.js';
import type { BulkOperation } from './bulk-line.js';

export interface BulkContext {
  client: HandleClient;
  /** Where `-` creates its generated names: the credentials' prefix. */
  prefix: string | undefined;
  /** Base of the resolver URLs RELATION writes. */
  resolverBaseUrl: string;
}

/**
 * Runs the operation and returns the fields after `OK` on its result line.
 * @example await executeBulkOperation({ op: 'READ', handle: pid, key: 'URL' }, context) // ['READ', pid, 'URL', 'http://…']
 */
export async function executeBulkOperation(operation: BulkOperation, { client, prefix, resolverBaseUrl }: BulkContext): Promise<string[]> {
  switch (operation.op) {
    case 'SEARCH': {
      const handles = await client.searchHandle({ [operation.key]: operation.value });
      return ['SEARCH', operation.key, operation.value, JSON.stringify(handles)];
    }
    case 'READ': {
      if (operation.key !== undefined) return ['READ', operation.handle, operation.key, valueText(await readValue(client, operation.handle, operation.key))];
      return ['READ', operation.handle, JSON.stringify((await readRecord(client, operation.handle)).values)];
    }
    case 'CREATE': {
      const handle = await createPid(client, { ...operation, prefix: operation.prefix ?? prefix });
      return ['CREATE', handle, operation.location];
    }
    case 'MODIFY':
      await client.modifyHandleValue(operation.handle, { [operation.key]: operation.value });
      return ['MODIFY', operation.handle, operation.key, operation.value];
    case 'DELETE':
      if (operation.key !== undefined) await client.deleteHandleValue(operation.handle, operation.key);
      else await client.deleteHandle(operation.handle);
      return ['DELETE', operation.handle, ...(operation.key !== undefined ? [operation.key] : [])];
    case 'RELATION': {
      const location = await relatePids(client, operation.parent, operation.child, resolverBaseUrl);
      return ['RELATION', operation.parent, operation.child, location];
    }
  }
}
