// Credentials files: what loads, how relative paths resolve, and a clear error naming the key for
// every broken variant a learner is likely to produce.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CredentialsFormatError, HandleSyntaxError, PIDClientCredentials } from '../../src/index.js';
import { temporaryFolder } from '../support/temporary-folders.js';

let dir: string;
before(() => {
  dir = temporaryFolder('cred-');
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'cert.pem'), 'cert');
  writeFileSync(join(dir, 'keys', 'key.pem'), 'key');
  writeFileSync(join(dir, 'ca.pem'), 'ca');
});

function write(name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const base = { handle_server_url: 'https://127.0.0.1:8000', prefix: '21.T12995' };

describe('valid files', () => {
  test('a certificate file resolves key, certificate and CA paths against its own folder', () => {
    const cred = PIDClientCredentials.loadFromJSON(
      write('cert.json', {
        ...base,
        certificate_only: './keys/cert.pem',
        private_key: 'keys/key.pem',
        HTTPS_verify: './ca.pem',
        handleowner: '200:0.NA/21.T12995',
      }),
    );
    assert.equal(cred.config.certificate_only, join(dir, 'keys', 'cert.pem'));
    assert.equal(cred.config.private_key, join(dir, 'keys', 'key.pem'));
    assert.equal(cred.config.HTTPS_verify, join(dir, 'ca.pem'));
    assert.equal(cred.authentication, 'certificate');
    assert.equal(cred.prefix, '21.T12995');
  });

  test('HTTPS_verify accepts booleans and the strings "true"/"false" unchanged', () => {
    for (const value of [true, false, 'true', 'FALSE']) {
      const cred = new PIDClientCredentials({ ...base, username: '300:21.T12995/U', password: 'p', HTTPS_verify: value });
      assert.equal(cred.config.HTTPS_verify, value);
    }
  });

  test('unknown keys are kept as additional configuration', () => {
    const cred = new PIDClientCredentials({ ...base, username: '300:21.T12995/U', password: 'p', my_note: 'x' });
    assert.deepEqual(cred.getConfig(), { my_note: 'x' });
  });

  test('search credentials alone are enough for a search-only client', () => {
    const cred = new PIDClientCredentials({ ...base, reverselookup_username: 'u', reverselookup_password: 'p' });
    assert.equal(cred.canSearch, true);
    assert.equal(cred.authentication, 'none');
  });
});

const broken: Array<[string, string | object, new (...a: never[]) => Error, RegExp]> = [
  ['invalid JSON', '{"handle_server_url": "https://x",', CredentialsFormatError, /Invalid JSON syntax/],
  ['a JSON array instead of an object', '[1, 2]', CredentialsFormatError, /JSON object/],
  ['a username without a colon', { ...base, username: '21.T12995/USER01', password: 'p' }, HandleSyntaxError, /username .*exactly one colon/],
  ['a username with a non-numeric index', { ...base, username: 'abc:21.T12995/USER01', password: 'p' }, HandleSyntaxError, /not a whole number/],
  ['a handleowner without a slash', { ...base, username: '300:21.T12995/U', password: 'p', handleowner: '200:nohandle' }, HandleSyntaxError, /no slash/],
  [
    'a private key file that does not exist',
    { ...base, certificate_only: './keys/cert.pem', private_key: './keys/missing.pem' },
    CredentialsFormatError,
    /"private_key" names .*missing\.pem/,
  ],
  [
    'a CA file that does not exist',
    { ...base, username: '300:21.T12995/U', password: 'p', HTTPS_verify: './nope.pem' },
    CredentialsFormatError,
    /"HTTPS_verify"/,
  ],
  ['a username without a password', { ...base, username: '300:21.T12995/U' }, CredentialsFormatError, /Username was provided, but no password/],
  [
    'a certificate without a key',
    { ...base, certificate_only: './keys/cert.pem' },
    CredentialsFormatError,
    /client certificate was provided, but no private key/,
  ],
  ['an empty password', { ...base, username: '300:21.T12995/U', password: '' }, CredentialsFormatError, /no password/],
  [
    'a server URL that is not a URL',
    { handle_server_url: 'localhost:8000', username: '300:21.T12995/U', password: 'p' },
    CredentialsFormatError,
    /"handle_server_url" must be a URL/,
  ],
  ['a password that is a number', { ...base, username: '300:21.T12995/U', password: 1234 }, CredentialsFormatError, /"password"/],
  [
    'HS_ADMIN_permissions of the wrong length',
    { ...base, username: '300:21.T12995/U', password: 'p', HS_ADMIN_permissions: '0111' },
    CredentialsFormatError,
    /"HS_ADMIN_permissions" must be 12 characters/,
  ],
  [
    'allowed_search_keys that is a string',
    { ...base, username: '300:21.T12995/U', password: 'p', allowed_search_keys: 'URL' },
    CredentialsFormatError,
    /"allowed_search_keys"/,
  ],
];

describe('broken files', () => {
  broken.forEach(([what, content, type, message], i) => {
    test(`${what} is refused with ${type.name} naming the problem`, () => {
      const path = write(`broken-${i}.json`, content);
      assert.throws(
        () => PIDClientCredentials.loadFromJSON(path),
        (error: unknown) => {
          assert.ok(error instanceof type, `got ${(error as Error).constructor.name}: ${(error as Error).message}`);
          assert.match((error as Error).message, message);
          return true;
        },
      );
    });
  });

  test('a file that cannot be read names its path', () => {
    assert.throws(() => PIDClientCredentials.loadFromJSON(join(dir, 'absent.json')), /cannot read .*absent\.json \(ENOENT\)/);
  });
});
