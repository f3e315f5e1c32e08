// The trainee's workspace: a working folder seeded from the learner copies in notebooks/, where the
// trainee's edits live. Used by deploy/local/start.cjs and by the container's start script, so both serve the
// same layout. Plain Node with no dependencies (it runs before `npm ci` may have happened).
//
// A trainee's edit is never overwritten. A notebook the trainee has not changed follows the lesson
// (it is replaced when its learner copy changes); an edited one is kept, and a changed learner copy is
// put next to it as NN-name.updated.ipynb. A missing chapter (new, or deleted by the trainee to start
// it again) is copied in. What was copied is remembered in a hidden manifest, by content hash.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const MANIFEST = '.pid-handson-workspace.json';
const CHAPTER = /^\d\d-[a-z0-9-]+\.ipynb$/;
// The import shim that workspaces had before the notebooks imported `pid-handson/lesson`: removed when
// it is the one this file wrote.
const OLD_SHIM = { file: 'pid.ts', header: '// Written by bin/workspace.cjs' };

function hash(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function chapterTitle(notebookJson, file) {
  try {
    for (const cell of JSON.parse(notebookJson).cells ?? []) {
      const heading = cell.cell_type === 'markdown' ? /^#\s+(.+)$/m.exec([].concat(cell.source).join('')) : null;
      if (heading) return heading[1].trim();
    }
  } catch {
    // fall through to the file name
  }
  return file.replace(/\.ipynb$/, '');
}

/** The workspace's contents page: what notebooks/README.md is for the repository, without the masters. */
function workspaceReadme(chapters) {
  return [
    '# Your lesson workspace',
    '',
    'Run the chapters in order; each one runs on the **TypeScript (tslab)** kernel. Your changes are saved here',
    'and kept across restarts of `npm start`.',
    '',
    ...chapters.map((c, i) => `${i + 1}. [${c.title}](${c.file})`),
    '',
    'To start a chapter again from the original, rename or delete your copy and run `npm start` again.',
    'When a chapter you have edited changes in the lesson, the new version appears next to yours as',
    '`NN-name.updated.ipynb`.',
    '',
  ].join('\n');
}

/** File-list patterns for Jupyter (ContentsManager.hide_globs) that keep the plumbing out of sight. */
// Jupyter's own defaults are kept, since setting the option replaces them.
const jupyterHideGlobs = ['node_modules', '__pycache__', '*.pyc', '*.pyo', '.DS_Store', '*.so', '*.dylib', '*~'];

/**
 * Creates or brings up to date the workspace at `workspace` from the learner copies in `lessonDir`.
 * Returns what happened, one line per change, for the start-up output.
 */
function prepareWorkspace(lessonDir, workspace) {
  fs.mkdirSync(workspace, { recursive: true });
  const manifestFile = path.join(workspace, MANIFEST);
  let manifest = {};
  try {
    manifest = JSON.parse(readIfExists(manifestFile) ?? '{}').files ?? {};
  } catch {
    manifest = {};
  }
  const changes = [];
  const chapters = [];
  const lessonFiles = new Map();
  for (const file of fs
    .readdirSync(lessonDir)
    .filter((f) => CHAPTER.test(f))
    .sort()) {
    const text = fs.readFileSync(path.join(lessonDir, file), 'utf8');
    lessonFiles.set(file, text);
    chapters.push({ file, title: chapterTitle(text, file) });
  }
  lessonFiles.set('README.md', workspaceReadme(chapters));

  for (const [file, upstream] of lessonFiles) {
    const target = path.join(workspace, file);
    const current = readIfExists(target);
    const entry = manifest[file] ?? {};
    const upstreamHash = hash(upstream);
    if (current === undefined) {
      fs.writeFileSync(target, upstream);
      manifest[file] = { copied: upstreamHash };
      changes.push(`added ${file}`);
    } else if (hash(current) === upstreamHash) {
      manifest[file] = { ...entry, copied: upstreamHash };
    } else if (hash(current) === entry.copied) {
      // Untouched since it was copied: it follows the lesson.
      fs.writeFileSync(target, upstream);
      manifest[file] = { copied: upstreamHash };
      changes.push(`updated ${file} (you had not changed it)`);
    } else if (entry.copied !== upstreamHash && entry.offered !== upstreamHash) {
      const offered = file.replace(/(\.[a-z]+)$/, '.updated$1');
      fs.writeFileSync(path.join(workspace, offered), upstream);
      manifest[file] = { ...entry, offered: upstreamHash };
      changes.push(`${file} changed in the lesson: your copy is kept, the new version is ${offered}`);
    }
  }

  if (readIfExists(path.join(workspace, OLD_SHIM.file))?.startsWith(OLD_SHIM.header)) fs.rmSync(path.join(workspace, OLD_SHIM.file));
  linkPackage(path.resolve(lessonDir, '..'));
  linkNodeModules(lessonDir, workspace);
  fs.writeFileSync(
    manifestFile,
    `${JSON.stringify({ about: 'What npm start copied into this workspace (content hashes); see deploy/local/workspace.cjs.', files: manifest }, null, 1)}\n`,
  );
  return changes;
}

/**
 * Cells import npm packages (tslab, undici) by name; Node and TypeScript find them by walking up from
 * the notebook's folder. A workspace outside the project gets a link to the project's node_modules.
 */
function linkNodeModules(lessonDir, workspace) {
  const project = path.resolve(lessonDir, '..');
  const inside = !path.relative(project, workspace).startsWith('..');
  const link = path.join(workspace, 'node_modules');
  if (inside || fs.existsSync(link)) return;
  // A junction on Windows: a directory symlink there needs administrator rights or developer mode.
  fs.symlinkSync(path.join(project, 'node_modules'), link, process.platform === 'win32' ? 'junction' : 'dir');
}

/**
 * Notebooks import the lesson kit by the package's name (`pid-handson/lesson`); Node and TypeScript
 * (tslab: node10 resolution) find it by walking up from the notebook's folder to a node_modules folder,
 * where npm never puts the package itself. So the project's node_modules gets a link to the project,
 * relative to where node_modules really is, so that the checkout can move. A real folder of that name
 * (an installed copy) is left alone. Returns whether a link was made.
 */
function linkPackage(project) {
  const manifest = readIfExists(path.join(project, 'package.json'));
  const modules = path.join(project, 'node_modules');
  if (manifest === undefined || !fs.existsSync(modules)) return false;
  const link = path.join(modules, JSON.parse(manifest).name);
  const target = path.relative(fs.realpathSync(modules), fs.realpathSync(project)) || '.';
  let stat;
  try {
    stat = fs.lstatSync(link);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  if (stat && (!stat.isSymbolicLink() || fs.readlinkSync(link) === target)) return false;
  if (stat) fs.unlinkSync(link);
  try {
    if (process.platform === 'win32') fs.symlinkSync(path.resolve(modules, target), link, 'junction');
    else fs.symlinkSync(target, link, 'dir');
  } catch (error) {
    // Another preparation (tests run side by side) made the same link first.
    if (error.code !== 'EEXIST') throw error;
  }
  return true;
}

module.exports = { prepareWorkspace, linkPackage, jupyterHideGlobs, MANIFEST };

// `node deploy/local/workspace.cjs LESSON_DIR WORKSPACE` (the container's start script).
if (require.main === module) {
  const [lessonDir, workspace] = process.argv.slice(2);
  if (!lessonDir || !workspace) {
    process.stderr.write('usage: node deploy/local/workspace.cjs LESSON_DIR WORKSPACE\n');
    process.exit(2);
  }
  for (const change of prepareWorkspace(path.resolve(lessonDir), path.resolve(workspace))) process.stdout.write(`workspace: ${change}\n`);
}
