#!/usr/bin/env bash
# Container test for CI (and for anyone on a Debian machine without a running Docker engine): installs
# Debian's Docker engine, docker-compose and debootstrap when missing, starts dockerd when no engine
# answers (without iptables or the default bridge, as this machine needs; compose networks and
# published ports still work) and stops it again afterwards, then runs the container tests (npm run test:containers:
# test/containers/run.sh, then the Binder image's test/containers/binder.test.ts, which finds run.sh's layers cached).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dockerd >/dev/null || need+=(docker.io)
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || need+=(docker-compose)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

dockerd_pid=
stop_dockerd() {
  [ -n "$dockerd_pid" ] || return 0
  kill "$dockerd_pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2>/dev/null || return 0; sleep 1; done
  kill -9 "$dockerd_pid" 2>/dev/null || true
}
if ! docker info >/dev/null 2>&1; then
  log=${DOCKERD_LOG:-/tmp/pid-handson-dockerd.log}
  echo "== starting dockerd --iptables=false --bridge=none (log: $log)"
  dockerd --iptables=false --bridge=none >"$log" 2>&1 &
  dockerd_pid=$!
  trap stop_dockerd EXIT
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "dockerd did not come up; the end of its log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
fi
echo "== docker $(docker version --format '{{.Server.Version}}' 2>/dev/null)"

npm run test:containers
