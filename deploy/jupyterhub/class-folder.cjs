// Who may read what in a class on one machine. The hub runs as root and each user's Jupyter server as a
// Unix user of their own: the class folder's secrets (the hub's database and cookie secret, class.json with
// the admin token, the logins, the mock server's data) are root's alone, while the homes' parent, the
// kernel spec and the package (dist/, node_modules/, the notebooks, the hook) must be reachable by every
// user, from / down.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT_ONLY_FILES = ['class.json', 'hub-logins.json', 'logins.csv', 'jupyterhub.sqlite', 'jupyterhub_cookie_secret'];

/** Creates the class folder's parts with their modes, and closes what earlier versions left open. */
function secureClassFolder(classDir) {
  fs.mkdirSync(path.join(classDir, 'homes'), { recursive: true });
  fs.mkdirSync(path.join(classDir, 'mock-data'), { recursive: true });
  // Users pass through to their home and the kernel spec, but cannot list the folder.
  fs.chmodSync(classDir, 0o711);
  fs.chmodSync(path.join(classDir, 'homes'), 0o711);
  fs.chmodSync(path.join(classDir, 'mock-data'), 0o700);
  for (const name of ROOT_ONLY_FILES) {
    const file = path.join(classDir, name);
    // SQLite keeps the mode of a file that exists: the hub's database is made root-only before it starts.
    if (name === 'jupyterhub.sqlite' && !fs.existsSync(file)) fs.writeFileSync(file, '', { mode: 0o600 });
    if (fs.existsSync(file)) fs.chmodSync(file, 0o600);
  }
}

/** What in `targets` another user could not reach: folders without "x" or files without "r" for others. */
function unreachable(targets) {
  const problems = new Set();
  for (const target of targets) {
    let real;
    try {
      real = fs.realpathSync(target);
    } catch {
      problems.add(`${target} does not exist`);
      continue;
    }
    const parts = real.split(path.sep).filter(Boolean);
    for (let i = 0; i <= parts.length; i += 1) {
      const here = path.sep + parts.slice(0, i).join(path.sep);
      const info = fs.statSync(here);
      if (info.isDirectory() && !(info.mode & 0o001)) problems.add(`${here} (folder, chmod o+x)`);
      if (info.isFile() && !(info.mode & 0o004)) problems.add(`${here} (file, chmod o+r)`);
    }
  }
  return [...problems];
}

module.exports = { ROOT_ONLY_FILES, secureClassFolder, unreachable };
