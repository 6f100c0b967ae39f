#!/usr/bin/env bash
# Makes sure a Chromium exists at /usr/bin/chromium for the browser tests (e2e/src/shop-page.e2e.spec.ts drive it
# through playwright-core, which never downloads a browser of its own).
#
#   1. /usr/bin/chromium exists        -> use it, touch nothing;
#   2. Debian, running as root         -> apt-get update, then apt-get install chromium (Debian's package);
#   3. anything else                   -> fail with a message saying what to install.
# Idempotent: a second run does nothing.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
export DEBIAN_FRONTEND=noninteractive

if [[ -x "$CHROMIUM" ]]; then
  echo "chromium: found $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -f /etc/debian_version ]]; then
  echo "chromium: $CHROMIUM missing, installing Debian's chromium package"
  echo '  + apt-get update'
  apt-get update
  echo '  + apt-get install -y --no-install-recommends chromium'
  apt-get install -y --no-install-recommends chromium
  if [[ ! -x "$CHROMIUM" ]]; then
    echo "chromium: ERROR: the chromium package was installed but $CHROMIUM is still missing" >&2
    exit 1
  fi
  echo "chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

echo "chromium: ERROR: $CHROMIUM is missing and it can only be installed automatically as root on Debian." >&2
echo "chromium: install Chromium so that $CHROMIUM exists (e.g. 'sudo apt-get install chromium'), then run again." >&2
exit 1
