// The Kubernetes class files: the Zero to JupyterHub values validate against the chart's real schema
// (merged over the chart's defaults, with the --set-file values the docs give, as helm does), a
// misspelt key fails, and the mock server's manifests hold together with the values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../support/paths.js';
import { requireSystemPackage, TRAITLETS } from '../support/system-packages.js';

const REFERENCE = join(ROOT, '..', 'shared', 'reference', 'zero-to-jupyterhub');
const HOOK = join(ROOT, 'deploy', 'jupyterhub', 'pid_handson_hub.py');
type Tree = Record<string, unknown>;

const readYaml = (file: string): Tree => parse(readFileSync(file, 'utf8')) as Tree;
const isMap = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's merge of a values file over the chart's defaults: maps merge, everything else is replaced. */
function merge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return structuredClone(over);
  const out: Tree = structuredClone(base);
  for (const [key, value] of Object.entries(over)) out[key] = key in out ? merge(out[key], value) : structuredClone(value);
  return out;
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Tree;
  }
  node[keys.at(-1)!] = value;
}

function get(tree: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isMap(node) || Array.isArray(node) ? (node as Tree)[key] : undefined), tree);
}

/** The --set-file flags of the helm command in values.yaml and docs/class-on-kubernetes.md. */
function setFiles(values: Tree): Tree {
  const withFiles = structuredClone(values);
  for (const path of ['hub.extraFiles.pid-handson-hub.stringData', 'singleuser.extraFiles.pid-handson-hub.stringData'])
    setPath(withFiles, path, readFileSync(HOOK, 'utf8'));
  // What `npm run class -- --logins-only` writes (its form is tested in class-logins.test.ts).
  setPath(withFiles, 'hub.extraFiles.pid-handson-logins.stringData', '{"users": {}}\n');
  return withFiles;
}

function validator() {
  assert.ok(existsSync(REFERENCE), `the chart's schema is expected beside the clone at ${REFERENCE}`);
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(readYaml(join(REFERENCE, 'values.schema.yaml')));
  const defaults = readYaml(join(REFERENCE, 'values.yaml'));
  return (values: Tree) => {
    const ok = validate(merge(defaults, values));
    return { ok, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`) };
  };
}

const values = readYaml(join(ROOT, 'deploy', 'kubernetes', 'values.yaml'));
const manifests = parseAllDocuments(readFileSync(join(ROOT, 'deploy', 'kubernetes', 'pid-mock.yaml'), 'utf8')).map((d) => {
  assert.deepEqual(d.errors, []);
  return d.toJS() as Tree;
});
const byKind = (kind: string) => {
  const found = manifests.filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in pid-mock.yaml`);
  return found[0]!;
};

test('the values file, with the documented --set-file values, validates against the chart schema', () => {
  const check = validator();
  const result = check(setFiles(values));
  assert.deepEqual(result.errors, []);
  assert.equal(result.ok, true);
  // Without the hook's code the extraFiles entries have no content, which the chart refuses.
  const withoutCode = check(values);
  assert.equal(withoutCode.ok, false);
  assert.ok(
    withoutCode.errors.some((e) => e.startsWith('/hub/extraFiles/pid-handson-hub')),
    withoutCode.errors.join('\n'),
  );
});

test('a misspelt key is refused by the schema', () => {
  const check = validator();
  for (const [path, misspelt] of [
    ['singleuser.storage', 'homeMountPth'],
    ['hub', 'extraConfg'],
    ['', 'singelUser'],
  ] as const) {
    const broken = setFiles(values);
    const parent = (path ? get(broken, path) : broken) as Tree;
    parent[misspelt] = 'x';
    const result = check(broken);
    assert.equal(result.ok, false, `${path}.${misspelt} should be refused`);
    assert.ok(
      result.errors.some((e) => e.includes(`"additionalProperty":"${misspelt}"`)),
      result.errors.join('\n'),
    );
  }
});

test('the manifests are a Secret, a PVC, a Deployment and a Service that fit together and with the values', () => {
  assert.deepEqual(manifests.map((m) => m.kind).sort(), ['Deployment', 'PersistentVolumeClaim', 'Secret', 'Service']);
  const secret = byKind('Secret');
  const pvc = byKind('PersistentVolumeClaim');
  const deployment = byKind('Deployment');
  const service = byKind('Service');
  assert.ok((get(secret, 'stringData.token') as string).length >= 16);
  // SQLite on a ReadWriteOnce volume: exactly one pod, replaced rather than rolled.
  assert.equal(get(deployment, 'spec.replicas'), 1);
  assert.equal(get(deployment, 'spec.strategy.type'), 'Recreate');
  assert.deepEqual(get(pvc, 'spec.accessModes'), ['ReadWriteOnce']);
  const labels = get(deployment, 'spec.template.metadata.labels') as Tree;
  for (const [key, value] of Object.entries(get(deployment, 'spec.selector.matchLabels') as Tree)) assert.equal(labels[key], value);
  for (const [key, value] of Object.entries(get(service, 'spec.selector') as Tree)) assert.equal(labels[key], value);
  const container = (get(deployment, 'spec.template.spec.containers') as Tree[])[0]!;
  assert.equal(container.image, 'pid-handson-mock:latest');
  const env = Object.fromEntries((container.env as Tree[]).map((e) => [e.name, e]));
  assert.deepEqual(get(env.PID_MOCK_ADMIN_TOKEN, 'valueFrom.secretKeyRef'), { name: get(secret, 'metadata.name'), key: 'token' });
  assert.equal(get(env.PID_MOCK_BASE_PATH, 'value'), '/services/pid-mock/');
  const volume = (get(deployment, 'spec.template.spec.volumes') as Tree[])[0]!;
  assert.equal(get(volume, 'persistentVolumeClaim.claimName'), get(pvc, 'metadata.name'));
  assert.equal(get((container.volumeMounts as Tree[])[0], 'mountPath'), '/data');
  const port = (service.spec as Tree).ports as Tree[];
  assert.equal(port[0]!.port, 8000);
  assert.equal(port[0]!.targetPort, (container.ports as Tree[])[0]!.name);
  assert.equal(get(container, 'readinessProbe.httpGet.path'), '/_admin/health');

  // The hub finds the mock by the Service's name, with the token of the same Secret.
  const serviceUrl = `http://${get(service, 'metadata.name')}:${port[0]!.port}`;
  assert.equal(get(values, 'hub.extraEnv.PID_MOCK_URL'), serviceUrl);
  assert.equal(get(values, 'hub.services.pid-mock.url'), serviceUrl);
  assert.equal(get(env.PID_MOCK_PUBLIC_HOST, 'value'), get(service, 'metadata.name'));
  assert.deepEqual(get(values, 'hub.extraEnv.PID_MOCK_ADMIN_TOKEN.valueFrom.secretKeyRef'), { name: get(secret, 'metadata.name'), key: 'token' });
  // Trainees' pods may reach the mock's pods (cluster addresses are closed to them by default).
  const egress = get(values, 'singleuser.networkPolicy.egress') as Tree[];
  assert.deepEqual(get(egress[0], 'to.0.podSelector.matchLabels'), get(deployment, 'spec.selector.matchLabels'));
});

/** One target of deploy/docker/Dockerfile: its section (the comments that head it and its stages), as a Dockerfile of its own was. */
function dockerTarget(name: string): string {
  const sections = readFileSync(join(ROOT, 'deploy', 'docker', 'Dockerfile'), 'utf8').split(/^(?=# ==== )/m);
  const section = sections.find((text) => new RegExp(`^FROM \\S+ AS ${name}$`, 'm').test(text));
  assert.ok(section, `deploy/docker/Dockerfile has no target ${name}`);
  return section;
}

test('the images named in the values are the ones the Dockerfiles build', () => {
  const singleuser = dockerTarget('pid-handson-singleuser');
  assert.match(singleuser, new RegExp(`-t ${get(values, 'singleuser.image.name')} `));
  const base = /^FROM (\S+)/m.exec(singleuser)![1]!;
  assert.match(dockerTarget(base), new RegExp(`-t ${base} `));
  assert.match(dockerTarget('pid-handson-mock'), /-t pid-handson-mock /);
});

test('the hub extraConfig installs the hook and the pod command writes the home before Jupyter starts', () => {
  requireSystemPackage(TRAITLETS);
  const extraConfig = get(values, 'hub.extraConfig.pid-handson') as string;
  const hubMount = get(values, 'hub.extraFiles.pid-handson-hub.mountPath') as string;
  assert.ok(extraConfig.includes(`sys.path.insert(0, "${hubMount.slice(0, hubMount.lastIndexOf('/'))}")`));
  // Run the snippet as the chart does (with `c` the hub's config), the module from this repository.
  const program = [
    'from traitlets.config import Config',
    'c = Config()',
    `exec(compile(${JSON.stringify(extraConfig)}, "extraConfig", "exec"))`,
    'hook = c.KubeSpawner.pre_spawn_hook',
    'assert callable(hook), hook',
    'print("hook", hook.__qualname__)',
    'print("authenticator", c.JupyterHub.authenticator_class.__qualname__, c.ClassAuthenticator.logins_file)',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', program], {
    encoding: 'utf8',
    env: {
      ...process.env,
      PYTHONPATH: join(ROOT, 'deploy', 'jupyterhub'),
      PID_MOCK_URL: 'http://pid-mock:8000',
      PID_MOCK_ADMIN_TOKEN: 'k8s-test-token-0123456789',
    },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /hook make_pre_spawn_hook\.<locals>\.pre_spawn_hook/);
  // Each user's own password: the hashed logins file mounted where the authenticator reads it.
  assert.match(run.stdout, new RegExp(`^authenticator ClassAuthenticator ${get(values, 'hub.extraFiles.pid-handson-logins.mountPath')}$`, 'm'));
  assert.equal(get(values, 'hub.config.JupyterHub.authenticator_class'), undefined, 'no shared workshop password (DummyAuthenticator)');

  const cmd = get(values, 'singleuser.cmd') as string[];
  const podMount = get(values, 'singleuser.extraFiles.pid-handson-hub.mountPath') as string;
  assert.equal(cmd[0], 'sh');
  assert.ok(
    cmd[2]!.startsWith(`python3 ${podMount} materialise ${get(values, 'singleuser.storage.homeMountPath')} /home/jovyan && exec jupyterhub-singleuser "$@"`),
    cmd[2],
  );
  assert.equal(spawnSync('sh', ['-n', '-c', cmd[2]!]).status, 0, 'the start command is valid sh');
  assert.equal(get(values, 'hub.config.KubeSpawner.notebook_dir'), `${get(values, 'singleuser.storage.homeMountPath')}/notebooks`);
});
