#!/usr/bin/env node
// Writes binder/Dockerfile, the file Binder (repo2docker) builds, from deploy/docker/Dockerfile.
//
//   node binder/make-dockerfile.cjs           rewrite binder/Dockerfile
//   node binder/make-dockerfile.cjs --check   exit 1 when binder/Dockerfile is not what this would write
//
// repo2docker builds binder/Dockerfile as it is, from the repository root, with no --target: it cannot import
// stages from another file, and a symlink would not do (BuildKit does not follow a Dockerfile symlink out of
// its folder). So the Binder file is made from the same text: the shared build stage and the Jupyter image's
// stages are copied word for word (the same instructions on the same base hit the same layer cache, so a
// machine that built deploy/docker/Dockerfile builds this in seconds), the mock server's and the Kubernetes
// image's stages are left out (nothing of theirs is used, and the classic builder would build them all), and
// one stage of Binder's own comes last, so that it is the image Binder starts.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SOURCE = path.join(root, 'deploy/docker/Dockerfile');
const TARGET = path.join(root, 'binder/Dockerfile');
/** The sections of deploy/docker/Dockerfile (headed `# ==== name…`) that the Binder image is built from. */
const SECTIONS = ['build', 'pid-handson-jupyter'];

const HEADER = `# GENERATED from deploy/docker/Dockerfile by binder/make-dockerfile.cjs: do not edit. Change that file (or the
# Binder stage in make-dockerfile.cjs), then run \`node binder/make-dockerfile.cjs\`.
#
# The image mybinder.org (repo2docker) builds from this repository: repo2docker finds binder/Dockerfile,
# builds it from the repository root with --build-arg NB_USER=… --build-arg NB_UID=1000 and no --target (the
# last stage is the image), and BinderHub starts it as uid 1000 with its own command:
#   jupyter notebook --ip 0.0.0.0 --port 8888 --NotebookApp.token=… --NotebookApp.base_url=/user/…/
# The stages below are deploy/docker/Dockerfile's shared build stage and its Jupyter image, then Binder's.
# Their base, node:20-bookworm-slim, comes from Docker Hub there; where no registry answers,
# test/containers/base-images.sh makes it locally (debootstrap). Tested by test/containers/binder.test.ts:
#   docker build --network host -f binder/Dockerfile --build-arg NB_USER=jovyan --build-arg NB_UID=1000 -t pid-handson-binder .
`;

const BINDER_STAGE = `# ==== binder: pid-handson-jupyter as Binder runs it ==============================================
# BinderHub replaces CMD and keeps ENTRYPOINT, so start (deploy/docker/start) runs before whatever command it
# gives: it copies the learner notebooks into the workspace (~/notebooks, the folder Jupyter opens: no
# masters, no source tree), starts the mock Handle server inside this container and waits until it answers
# on 127.0.0.1:8000, then execs that command. The notebooks' credentials name that loopback address.
# (Jupyter's configuration would start the server too, as for the image alone: start finds it answering.)
# Launch URL: https://mybinder.org/v2/<forge>/<owner>/<repository>/HEAD?urlpath=tree (Notebook 6's file
# list; the image has no JupyterLab, so /lab would be a 404).
FROM pid-handson-jupyter AS binder
# Binder's pods share a cluster network: only this container's notebooks reach its server.
ENV PID_MOCK_HOST=127.0.0.1
ENTRYPOINT ["/usr/local/bin/start"]
# The Jupyter image's check asks /api, which is a 404 under Binder's base_url (Kubernetes ignores it anyway).
HEALTHCHECK NONE
# Without a command (docker run pid-handson-binder), start runs Jupyter on the workspace.
CMD []
`;

/** The text of each `# ==== name` section of a Dockerfile, by name, in the file's order. */
function sections(dockerfile) {
  const found = new Map();
  let name;
  for (const line of dockerfile.split('\n')) {
    const head = /^# ==== ([a-z0-9-]+)/.exec(line);
    if (head) {
      name = head[1];
      found.set(name, []);
    }
    if (name) found.get(name).push(line);
  }
  return found;
}

function render(dockerfile) {
  const all = sections(dockerfile);
  const parts = SECTIONS.map((name) => {
    const lines = all.get(name);
    if (!lines) throw new Error(`deploy/docker/Dockerfile has no section "# ==== ${name}" (found: ${[...all.keys()].join(', ')})`);
    return `${lines.join('\n').trimEnd()}\n`;
  });
  return [HEADER, ...parts, BINDER_STAGE].join('\n');
}

function main(argv) {
  const wanted = render(fs.readFileSync(SOURCE, 'utf8'));
  const current = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, 'utf8') : undefined;
  if (argv.includes('--check')) {
    if (current === wanted) return 0;
    console.error('binder/Dockerfile is out of date with deploy/docker/Dockerfile: run `node binder/make-dockerfile.cjs`');
    return 1;
  }
  if (current !== wanted) fs.writeFileSync(TARGET, wanted);
  console.log(current === wanted ? 'binder/Dockerfile: up to date' : 'binder/Dockerfile: written');
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { render, SOURCE, TARGET };
