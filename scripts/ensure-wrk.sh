#!/usr/bin/env bash
# Makes sure the HTTP load generator `wrk` exists for `npm run bench` (tools/src/bench). wrk is a small C
# program with an event loop per thread and LuaJIT scripting: on loopback it drives several times the
# requests per second a Node client could, so the server under test, not the client, is what gets measured.
#
#   1. `wrk` on PATH                  -> use it, touch nothing;
#   2. Debian, running as root        -> apt-get update, then apt-get install wrk (Debian's package);
#   3. anything else                  -> fail with a message saying what to install.
# Idempotent: a second run does nothing.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

if command -v wrk >/dev/null 2>&1; then
  echo "wrk: found $(command -v wrk) ($(wrk --version 2>&1 | head -n 1 || true))"
  exit 0
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -f /etc/debian_version ]]; then
  echo "wrk: missing, installing Debian's wrk package"
  echo '  + apt-get update'
  apt-get update
  echo '  + apt-get install -y --no-install-recommends wrk'
  apt-get install -y --no-install-recommends wrk
  if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk: ERROR: the wrk package was installed but wrk is still not on PATH" >&2
    exit 1
  fi
  echo "wrk: installed $(command -v wrk)"
  exit 0
fi

echo "wrk: ERROR: wrk is missing and it can only be installed automatically as root on Debian." >&2
echo "wrk: install it (e.g. 'sudo apt-get install wrk'), then run again." >&2
exit 1
