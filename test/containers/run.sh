#!/usr/bin/env bash
# Container test: really builds the mock server and Jupyter targets of deploy/docker/Dockerfile, runs them with
# docker-compose.yml, and checks the workshop path end to end:
#   base image (pulled, reused, or made locally: test/containers/base-images.sh) → build both images →
#   `up` (Jupyter waits for a healthy server) → ports on 127.0.0.1 → non-root users → credentials shared
#   read-only, instructor files not shared → a lesson notebook executed in the Jupyter container against
#   the server container → a handle created with the trainee's certificate → server restarted, and
#   `down` + `up` again: the handle and the credentials are still there → the Jupyter image alone with
#   Binder's kind of command runs the server inside → `down -v` leaves nothing.
# Needs a running Docker engine (.ci/containers.sh starts one) and docker compose or docker-compose.
#
#   bash test/containers/run.sh                 (npm run test:containers)
#   CTEST_NOTEBOOK=smoke bash test/containers/run.sh   executes the generated smoke notebook even when
#                                               notebooks/01-*.ipynb exists
#   CTEST_KEEP=1 ...                            leaves the project running (to look around)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/test/containers

t0=$SECONDS
passed=0
step_name=setup
step_start=$SECONDS
project=pidhandson-ctest-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/pid-ctest.XXXXXX")

say() { printf '[containers %4ss] %s\n' "$((SECONDS - t0))" "$*"; }
step() { step_name=$1; step_start=$SECONDS; say "── $1"; }
ok() { passed=$((passed + 1)); say "ok   $1 ($((SECONDS - step_start)) s)"; }
fail() {
  say "FAIL $step_name: $*"
  exit 1
}
# Until the project exists, a failure only needs the closing line.
trap 'rc=$?; [ "$rc" = 0 ] || echo "containers: $passed passed, 1 failed"; rm -rf "$work"; exit "$rc"' EXIT

# ---- Docker and compose ------------------------------------------------------------------------
docker info >/dev/null 2>&1 || fail "no Docker engine answers (bash .ci/containers.sh starts one)"
if docker compose version >/dev/null 2>&1; then
  compose_cmd=(docker compose)
elif command -v docker-compose >/dev/null; then
  compose_cmd=(docker-compose)
else
  fail "neither 'docker compose' nor 'docker-compose' is installed"
fi
# Without the buildx plugin the CLI's BuildKit default cannot build: use the classic builder.
if ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0; fi
# Base images (debian, node) and the build override: RUN steps use the host's network, since an
# engine started with --bridge=none gives build containers none.
compose_files=(-f docker-compose.yml -f deploy/docker/docker-compose.build.yml)
compose() { "${compose_cmd[@]}" -p "$project" "${compose_files[@]}" "$@"; }

free_port() { node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"; }
export PID_BIND=127.0.0.1 PID_MOCK_PREFIX=21.T12995
PID_MOCK_PORT=$(free_port)
JUPYTER_PORT=$(free_port)
export PID_MOCK_PORT JUPYTER_PORT

# Everything this test creates carries its compose project name; a run that was killed earlier is
# cleaned up too (projects pidhandson-ctest-*).
remove_projects() {
  local filter=$1 ids
  ids=$(docker ps -aq --filter "label=com.docker.compose.project=$filter" 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  ids=$(docker volume ls -q --filter "label=com.docker.compose.project=$filter" 2>/dev/null || true)
  [ -z "$ids" ] || docker volume rm -f $ids >/dev/null 2>&1 || true
  ids=$(docker network ls -q --filter "label=com.docker.compose.project=$filter" 2>/dev/null || true)
  [ -z "$ids" ] || docker network rm $ids >/dev/null 2>&1 || true
}
for stale in $( (docker ps -a --format '{{.Label "com.docker.compose.project"}}'
  docker volume ls --format '{{.Label "com.docker.compose.project"}}'
  docker network ls --format '{{.Label "com.docker.compose.project"}}') | grep '^pidhandson-ctest-' | sort -u); do
  say "removing a project left by an earlier run: $stale"
  remove_projects "$stale"
done

prebuild_pid=
cleanup() {
  local rc=$?
  set +e
  if [ -n "$prebuild_pid" ]; then kill "$prebuild_pid" 2>/dev/null; wait "$prebuild_pid" 2>/dev/null; fi
  if [ "$rc" != 0 ]; then
    say "logs of the failed run:"
    compose logs --no-color --tail=40 2>&1 | sed 's/^/    /'
  fi
  if [ "${CTEST_KEEP:-0}" = 1 ]; then
    say "CTEST_KEEP=1: project $project left running (remove: ${compose_cmd[*]} -p $project down -v)"
  else
    compose down -v --remove-orphans --timeout 10 >"$work/down.log" 2>&1
    remove_projects "$project"
    local left
    left=$(docker ps -aq --filter "label=com.docker.compose.project=$project"; docker volume ls -q --filter "label=com.docker.compose.project=$project"; docker network ls -q --filter "label=com.docker.compose.project=$project")
    if [ -n "$left" ]; then
      say "FAIL cleanup: left behind: $left"
      rc=1
    else
      say "cleaned up: no container, volume or network of $project is left"
    fi
  fi
  rm -rf "$work"
  say "total $((SECONDS - t0)) s"
  if [ "$rc" = 0 ]; then echo "containers: $passed passed, 0 failed"; else echo "containers: $passed passed, 1 failed"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

container() { compose ps -q "$1"; }
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1" 2>/dev/null || echo gone; }
wait_healthy() {
  local service=$1 limit=$2 id status
  for _ in $(seq 1 "$limit"); do
    id=$(container "$service")
    status=$( [ -n "$id" ] && health "$id" || echo missing)
    [ "$status" = healthy ] && return 0
    case $status in exited | dead | gone | unhealthy) break ;; esac
    sleep 1
  done
  fail "$service is $status after waiting (limit ${limit} s)"
}
in_jupyter() { docker exec -i "$(container jupyter)" "$@"; }
in_mock() { docker exec -i "$(container mock)" "$@"; }

# The client, used in the Jupyter container as a notebook would (trainee's certificate credentials).
client_script() {
  cat <<'JS'
const { HandleClient, PIDClientCredentials } = require('/home/jovyan/dist/src/index.js');
(async () => {
  const [action, handle] = process.argv.slice(2);
  const cred = PIDClientCredentials.loadFromJSON(process.env.PID_CREDENTIALS);
  const client = await HandleClient.withCredentials(cred);
  try {
    if (action === 'create') {
      const name = `${cred.prefix}/CONTAINER-TEST-${Date.now()}`;
      console.log(await client.registerHandle(name, 'https://example.org/container-test'));
    } else {
      const record = await client.retrieveHandleRecord(handle);
      if (!record) throw new Error(`${handle} is not there`);
      console.log(record.URL);
    }
  } finally {
    await client.close();
  }
})().catch((error) => { console.error(String(error)); process.exit(1); });
JS
}
client() { client_script | timeout 120 docker exec -i "$(container jupyter)" node - "$@"; }

# ---- 1. base image ------------------------------------------------------------------------------
step "base image node:20-bookworm-slim"
timeout 600 bash "$here/base-images.sh" || fail "no base image"
ok "base image"

# ---- 2. build -----------------------------------------------------------------------------------
step "build the mock server and Jupyter images (${compose_cmd[*]} build)"
# Jupyter's runtime stage (apt, network-bound) builds beside the shared build stage (the SQLite driver's
# compile, CPU-bound); Jupyter's own build then finds both stages in the layer cache. The classic
# builder (no buildx) builds every stage above a --target, so the runtime stage is built from its own
# lines alone: the same instructions on the same base hit the same cache.
awk '/^FROM .* AS jupyter-runtime$/ { on = 1 } on && /^FROM / && !/ AS jupyter-runtime$/ { exit } on' deploy/docker/Dockerfile >"$work/runtime.Dockerfile"
grep -q '^FROM .* AS jupyter-runtime$' "$work/runtime.Dockerfile" || fail "no jupyter-runtime stage in deploy/docker/Dockerfile"
docker build --network host -q -f "$work/runtime.Dockerfile" . >"$work/build-runtime.log" 2>&1 &
prebuild_pid=$!
timeout 1200 "${compose_cmd[@]}" -p "$project" "${compose_files[@]}" build mock >"$work/build-mock.log" 2>&1 || {
  tail -n 40 "$work/build-mock.log"
  fail "building the mock server image failed"
}
say "     mock server image built"
wait "$prebuild_pid" || { tail -n 40 "$work/build-runtime.log"; fail "building Jupyter's runtime stage failed"; }
prebuild_pid=
timeout 1200 "${compose_cmd[@]}" -p "$project" "${compose_files[@]}" build jupyter >"$work/build-jupyter.log" 2>&1 || {
  tail -n 40 "$work/build-jupyter.log"
  fail "building the Jupyter image failed"
}
say "     images: $(docker image inspect -f '{{index .RepoTags 0}} {{.Size}}' pid-handson-mock pid-handson-jupyter | awk '{ printf "%s %d MB; ", $1, $2 / 1e6 }')"
ok "build"

# ---- 3. up --------------------------------------------------------------------------------------
step "compose up (mock on 127.0.0.1:$PID_MOCK_PORT, Jupyter on 127.0.0.1:$JUPYTER_PORT)"
compose up -d >"$work/up.log" 2>&1 || { cat "$work/up.log"; fail "up failed"; }
wait_healthy mock 120
wait_healthy jupyter 120
ok "both services healthy"

step "published ports answer on 127.0.0.1, HTTP and HTTPS on one port"
curl -fsS "http://127.0.0.1:$PID_MOCK_PORT/_admin/health" >/dev/null || fail "mock health over HTTP"
in_mock cat /data/credentials/ca.pem >"$work/ca.pem"
curl -fsS --cacert "$work/ca.pem" "https://127.0.0.1:$PID_MOCK_PORT/api/handles/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448" | grep -q '"responseCode":1' ||
  fail "warm-up handle over HTTPS with the server's CA"
curl -fsS "http://127.0.0.1:$JUPYTER_PORT/api" | grep -q '"version"' || fail "Jupyter API"
for service in mock jupyter; do
  ports=$(docker port "$(container $service)")
  if echo "$ports" | grep -qv '^[^ ]* -> 127\.0\.0\.1:'; then fail "$service publishes beyond 127.0.0.1: $ports"; fi
done
ok "ports"

step "users, shared credentials and what is not shared"
[ "$(in_mock id -u)" != 0 ] || fail "the mock server runs as root"
[ "$(in_jupyter id -u)" = 1000 ] || fail "the Jupyter user's uid is not 1000"
in_jupyter test -r /data/credentials/cred_file.json || fail "cred_file.json not readable in Jupyter"
in_jupyter test -r /data/credentials/USER01_privkey.pem || fail "the trainee's private key is not readable in Jupyter"
in_jupyter sh -c 'grep -q "\"HTTPS_verify\": \"/data/credentials/ca.pem\"" "$PID_CREDENTIALS"' || fail "HTTPS_verify is not /data/credentials/ca.pem"
in_jupyter sh -c '! touch /data/credentials/written-by-jupyter 2>/dev/null' || fail "the credentials are writable from Jupyter"
in_jupyter sh -c '! ls /data/instructor >/dev/null 2>&1' || fail "the instructor folder is visible in Jupyter"
in_mock test -s /data/instructor/admin-token || fail "no admin token in the server's data"
ok "isolation"

# ---- 4. a notebook ------------------------------------------------------------------------------
nb=$(cd notebooks 2>/dev/null && ls 01-*.ipynb 2>/dev/null | head -n 1 || true)
expect=()
if [ -z "$nb" ] || [ "${CTEST_NOTEBOOK:-}" = smoke ]; then
  nb=container-smoke.ipynb
  expect=(WARMUP-URL "authentication: certificate")
  python3 - "$work/$nb" <<'PY'
import json, sys
cells = [
    "import { HandleClient, PIDClientCredentials } from '../dist/src/index';\n"
    "const cred = PIDClientCredentials.loadFromJSON(process.env.PID_CREDENTIALS!);\n"
    "const client = await HandleClient.withCredentials(cred);\n"
    "console.log('authentication:', client.authentication);",
    "const record = await client.retrieveHandleRecord('11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448');\n"
    "console.log('WARMUP-URL', record?.URL);\n"
    "await client.close();",
]
nb = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {}, "outputs": [], "source": c} for i, c in enumerate(cells)],
    "metadata": {"kernelspec": {"display_name": "TypeScript", "language": "typescript", "name": "tslab"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}
json.dump(nb, open(sys.argv[1], "w"), indent=1)
PY
  docker cp "$work/$nb" "$(container jupyter):/home/jovyan/notebooks/$nb"
fi
step "execute notebooks/$nb in the Jupyter container"
timeout 900 docker exec -i "$(container jupyter)" sh -c 'cd /home/jovyan/notebooks && python3 - "$@"' sh "$nb" "/tmp/${nb%.ipynb}.out.ipynb" "${expect[@]}" <"$here/execute_notebook.py" ||
  fail "notebook $nb"
ok "notebook $nb"

# ---- 5. persistence -----------------------------------------------------------------------------
step "create a handle with the trainee's certificate"
handle=$(client create) || fail "could not create a handle"
say "     created $handle"
in_mock cat /data/credentials/cred_basic.json >"$work/cred_before.json"
ok "handle created"

step "restart the server: the handle is still there"
compose restart mock >"$work/restart.log" 2>&1 || { cat "$work/restart.log"; fail "restart"; }
sleep 1
wait_healthy mock 90
[ "$(client read "$handle")" = https://example.org/container-test ] || fail "$handle lost over a restart"
ok "restart"

step "down (keeping volumes) and up again: handle, credentials and notebooks are still there"
compose down --timeout 10 >"$work/down1.log" 2>&1 || { cat "$work/down1.log"; fail "down"; }
[ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$project")" ] || fail "containers left after down"
compose up -d >"$work/up2.log" 2>&1 || { cat "$work/up2.log"; fail "up again"; }
wait_healthy mock 120
wait_healthy jupyter 120
[ "$(client read "$handle")" = https://example.org/container-test ] || fail "$handle lost over down and up"
in_mock cat /data/credentials/cred_basic.json | cmp -s - "$work/cred_before.json" || fail "the credentials changed over down and up"
curl -fsS --cacert "$work/ca.pem" "https://127.0.0.1:$PID_MOCK_PORT/api/handles/$handle" | grep -q '"responseCode":1' ||
  fail "$handle not served over the published port with the same CA"
in_jupyter test -f "/home/jovyan/notebooks/$nb" || fail "the notebooks volume lost $nb"
ok "down and up"

# ---- 6. one container, as on Binder -------------------------------------------------------------
step "the Jupyter image alone, started as Binder does (its own command): the server runs inside"
docker network create --label "com.docker.compose.project=$project" "$project-alone" >/dev/null
alone=$(docker run -d --label "com.docker.compose.project=$project" --network "$project-alone" \
  pid-handson-jupyter jupyter notebook --ip=0.0.0.0 --port=8888 --no-browser)
for _ in $(seq 1 90); do
  [ "$(health "$alone")" = healthy ] && break
  sleep 1
done
[ "$(health "$alone")" = healthy ] || { docker logs --tail 30 "$alone"; fail "the lone Jupyter container is $(health "$alone")"; }
[ "$(docker inspect -f '{{json .Config.Entrypoint}}' "$alone")" = null ] || [ "$(docker inspect -f '{{json .Config.Entrypoint}}' "$alone")" = '[]' ] ||
  fail "the Jupyter image has an ENTRYPOINT"
[ "$(docker exec "$alone" id -u)" = 1000 ] || fail "the user's uid is not 1000"
[ "$(client_script | docker exec -i "$alone" node - read 11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448)" = \
  http://127.0.0.1:8000/files/landing/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448 ] || fail "the warm-up handle from the server inside"
ok "single container"
