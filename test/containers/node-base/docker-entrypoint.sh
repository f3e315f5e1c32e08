#!/bin/sh
# As the official Node image does: a command that starts with a flag, or that is no program on PATH,
# is handed to node; anything else runs as it is.
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1" || true)" ]; then
  set -- node "$@"
fi
exec "$@"
