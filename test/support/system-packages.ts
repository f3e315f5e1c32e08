// A test that needs a Debian package fails at once with the command that installs it, not deep inside
// a launch or a spawn with ENOENT.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface SystemPackage {
  /** What the test needs it for, as the message says it: "Chromium", "JupyterHub". */
  name: string;
  /** The Debian package that brings it. */
  apt: string;
  /** An executable that must exist. */
  binary?: string;
  /** A Python module that must import in /usr/bin/python3. */
  pythonModule?: string;
}

/** Why the package is unusable, or undefined when it is there. */
export function missingSystemPackage(need: SystemPackage): string | undefined {
  const install = `needs ${need.name}: apt-get install ${need.apt}`;
  if (need.binary && !existsSync(need.binary)) return `${install} (${need.binary} is missing)`;
  if (need.pythonModule) {
    const probe = spawnSync('/usr/bin/python3', ['-c', `import ${need.pythonModule}`], { stdio: 'ignore' });
    if (probe.status !== 0) return `${install} (python3 cannot import ${need.pythonModule})`;
  }
  return undefined;
}

/**
 * Throws "needs NAME: apt-get install APT" when the package is missing.
 *
 * @example requireSystemPackage(CHROMIUM)
 */
export function requireSystemPackage(...needs: SystemPackage[]): void {
  const missing = needs.map(missingSystemPackage).filter((m): m is string => m !== undefined);
  if (missing.length) throw new Error(missing.join('\n'));
}

export const CHROMIUM: SystemPackage = { name: 'Chromium', apt: 'chromium', binary: '/usr/bin/chromium' };
export const JUPYTERHUB: SystemPackage[] = [
  { name: 'JupyterHub', apt: 'jupyterhub', binary: '/usr/bin/jupyterhub' },
  { name: 'JupyterHub', apt: 'jupyterhub', binary: '/usr/bin/jupyterhub-singleuser' },
  // Debian's jupyterhub brings it; named apart for systems that split them.
  { name: 'configurable-http-proxy', apt: 'node-configurable-http-proxy', binary: '/usr/bin/configurable-http-proxy' },
];
/** The hub hook's unit tests run JupyterHub's own spawner in /usr/bin/python3. */
export const JUPYTERHUB_PYTHON: SystemPackage = { name: 'JupyterHub', apt: 'jupyterhub', binary: '/usr/bin/python3', pythonModule: 'jupyterhub.spawner' };
export const TRAITLETS: SystemPackage = { name: 'python3 traitlets', apt: 'python3-traitlets', binary: '/usr/bin/python3', pythonModule: 'traitlets.config' };
export const PYTHON_REQUESTS: SystemPackage = {
  name: 'python3 requests (B2HANDLE)',
  apt: 'python3-requests',
  binary: '/usr/bin/python3',
  pythonModule: 'requests',
};
export const WRK: SystemPackage = { name: 'wrk', apt: 'wrk', binary: '/usr/bin/wrk' };
