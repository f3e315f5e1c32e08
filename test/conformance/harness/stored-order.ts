// What the value-order difference needs to check a resolver redirect by rule: the records the transcripts
// themselves wrote (whole-record PUTs that succeeded), and the real server's choice of URL value applied to
// them in index order, the order the mock's SQL-style storage keeps.
import { decodeHandlePath } from '../../../mock-server/vocabulary/handle-names.js';
import type { Transcript } from './transcript.js';

interface WrittenValue {
  index: number;
  type: string;
  data: unknown;
  permissions?: unknown;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function key(handle: string): string {
  return handle.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

function pathHandle(path: string, apiPrefix: boolean): string | undefined {
  const bare = path.split('?')[0] ?? '';
  const rest = apiPrefix ? /^\/api\/handles\/(.+)$/.exec(bare)?.[1] : bare.slice(1);
  if (!rest) return undefined;
  try {
    return decodeHandlePath(rest);
  } catch {
    return undefined;
  }
}

function stringData(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (isObject(data) && typeof data.format === 'string' && data.format.toLowerCase() === 'string' && typeof data.value === 'string') return data.value;
  return undefined;
}

/** Public read unless a permissions string of 3+ characters clears the third character from the right. */
function publiclyReadable(permissions: unknown): boolean {
  if (typeof permissions !== 'string' || permissions === '*' || permissions.length <= 2) return true;
  return permissions[permissions.length - 2] === '1';
}

export class WrittenRecords {
  private readonly records = new Map<string, WrittenValue[]>();

  /** Remembers a successful whole-record PUT; any other successful write makes the record unknown. */
  note(transcript: Transcript): void {
    const { request, response } = transcript;
    if (!['PUT', 'DELETE'].includes(request.method) || response.status >= 300) return;
    const handle = pathHandle(request.path, true);
    if (!handle) return;
    const whole = request.method === 'PUT' && !/[?&]index=/.test(request.path);
    const body = request.body;
    const list = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.values) ? body.values : undefined;
    if (!whole || !list?.every((v) => isObject(v) && typeof v.index === 'number' && typeof v.type === 'string')) {
      this.records.delete(key(handle));
      return;
    }
    this.records.set(key(handle), list as WrittenValue[]);
  }

  /**
   * The redirect target of `GET /<handle>` when the record's values are read in index order: the first
   * public value whose type is URL (any case), else the first public `URL.*` value; undefined unless the
   * real server's target `realTarget` is itself one of the record's URL values.
   */
  urlInIndexOrder(proxyPath: string, realTarget: string): string | undefined {
    const handle = pathHandle(proxyPath, false);
    const values = handle ? this.records.get(key(handle)) : undefined;
    if (!values) return undefined;
    // Only an order difference qualifies: the real server went to another URL value of the same record,
    // and no 10320/LOC took part in the choice.
    if (values.some((v) => v.type.toUpperCase() === '10320/LOC')) return undefined;
    const urls = values.filter((v) => v.type.toUpperCase() === 'URL' || v.type.toUpperCase().startsWith('URL.')).map((v) => stringData(v.data));
    if (!urls.includes(realTarget) && !urls.some((u) => u !== undefined && encodeURI(u) === realTarget)) return undefined;
    const visible = [...values].sort((a, b) => a.index - b.index).filter((v) => publiclyReadable(v.permissions));
    const chosen = visible.find((v) => v.type.toUpperCase() === 'URL') ?? visible.find((v) => v.type.toUpperCase().startsWith('URL.'));
    return chosen ? stringData(chosen.data) : undefined;
  }
}
