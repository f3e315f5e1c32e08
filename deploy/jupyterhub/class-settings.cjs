// The hub settings of `npm run class` that size a class to its machine: how many servers start at once and
// run at once, how long a start may take, when idle kernels and servers go, a memory limit per user, and
// whether kernels compile through the class's compile service or start from the Node snapshot. Checked here (one clear line per mistake), handed to
// jupyterhub_config.py as PID_HANDSON_* variables. The defaults are argued in docs/class-on-one-machine.md.
'use strict';

const CLASS_DEFAULTS = Object.freeze({
  spawnLimit: 100,
  activeLimit: 0,
  startTimeout: 120,
  cullIdle: 60,
  memLimit: '',
  kernelSnapshot: 'on',
  compileService: 'on',
});

const UNITS = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** "800M" → bytes; undefined when it is not a size. */
function bytesOf(text) {
  const match = /^([1-9][0-9]{0,5})([KMG])$/.exec(text);
  return match ? Number(match[1]) * UNITS[match[2]] : undefined;
}

/** The parsed options' settings with defaults, or the first mistake as one sentence. */
function classSettings(options) {
  const settings = { ...CLASS_DEFAULTS };
  const whole = (flag, key, min, max, unit = '') => {
    const text = options[flag];
    if (text === undefined) return undefined;
    if (!/^[0-9]{1,6}$/.test(text) || Number(text) < min || Number(text) > max) return `--${flag} must be a number from ${min} to ${max}${unit}, not "${text}"`;
    settings[key] = Number(text);
    return undefined;
  };
  const error =
    whole('spawn-limit', 'spawnLimit', 1, 1000) ??
    whole('active-limit', 'activeLimit', 0, 10000) ??
    whole('start-timeout', 'startTimeout', 10, 3600, ' (seconds)') ??
    whole('cull-idle', 'cullIdle', 0, 10080, ' (minutes)');
  if (error) return { error };
  if (options['mem-limit'] !== undefined) {
    const bytes = bytesOf(options['mem-limit']);
    // Below about 300 MB a tslab kernel cannot even start (it holds about 175 MB after start).
    if (bytes === undefined || bytes < 300 * UNITS.M)
      return { error: `--mem-limit must be a size of at least 300M, such as 800M or 2G, not "${options['mem-limit']}"` };
    settings.memLimit = options['mem-limit'];
  }
  if (options['kernel-snapshot'] !== undefined) {
    if (!['on', 'off'].includes(options['kernel-snapshot'])) return { error: `--kernel-snapshot must be on or off, not "${options['kernel-snapshot']}"` };
    settings.kernelSnapshot = options['kernel-snapshot'];
  }
  if (options['compile-service'] !== undefined) {
    if (!['on', 'off'].includes(options['compile-service'])) return { error: `--compile-service must be on or off, not "${options['compile-service']}"` };
    settings.compileService = options['compile-service'];
  }
  // A kernel that compiles through the service never uses the compiler in the snapshot, which would only
  // add its weight to every kernel: without a word about the snapshot, the service's kernels start without.
  if (settings.compileService === 'on' && options['kernel-snapshot'] === undefined) settings.kernelSnapshot = 'off';
  return { value: settings };
}

/** What jupyterhub_config.py reads; snapshotFile is the blob kernels start from ('' for none). */
function hubSettingsEnv(settings, snapshotFile) {
  return {
    PID_HANDSON_SPAWN_LIMIT: String(settings.spawnLimit),
    PID_HANDSON_ACTIVE_LIMIT: String(settings.activeLimit),
    PID_HANDSON_START_TIMEOUT: String(settings.startTimeout),
    PID_HANDSON_CULL_IDLE_SECONDS: String(settings.cullIdle * 60),
    PID_HANDSON_MEM_LIMIT: settings.memLimit ? String(bytesOf(settings.memLimit)) : '0',
    PID_HANDSON_KERNEL_SNAPSHOT_FILE: snapshotFile || '-',
    PID_HANDSON_CLASS_COMPILE_SERVICE: settings.compileService,
  };
}

function describeSettings(settings) {
  return [
    `${settings.spawnLimit} starting at once`,
    settings.activeLimit ? `at most ${settings.activeLimit} running` : 'no limit on running servers',
    `start timeout ${settings.startTimeout} s`,
    settings.cullIdle ? `idle kernels and servers stop after ${settings.cullIdle} min` : 'no idle culling',
    settings.memLimit ? `memory limit ${settings.memLimit} per user` : 'no memory limit',
    `kernel snapshot ${settings.kernelSnapshot}`,
    `compile service ${settings.compileService}`,
  ].join(', ');
}

module.exports = { CLASS_DEFAULTS, bytesOf, classSettings, describeSettings, hubSettingsEnv };
