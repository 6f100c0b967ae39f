#!/usr/bin/env bash
# Makes sure `promtool` is on PATH: tools/src/alerts/alert-rules.spec.ts checks and unit-tests the Prometheus
# alerting rules (infra/prometheus/alerts.yml) with it.
#
#   1. promtool on PATH                -> use it, touch nothing;
#   2. Debian, running as root         -> apt-get update, then apt-get install prometheus (Debian ships promtool
#                                         only inside its prometheus package), without leaving a Prometheus
#                                         server running or enabled at boot;
#   3. anything else                   -> fail with a message saying what to install.
# Idempotent: a second run does nothing.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

if command -v promtool >/dev/null 2>&1; then
  echo "promtool: found $(command -v promtool) ($(promtool --version 2>&1 | head -n 1))"
  exit 0
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -f /etc/debian_version ]]; then
  echo "promtool: not on PATH, installing Debian's prometheus package (it ships promtool)"

  # The package's postinst starts the server (invoke-rc.d, or systemctl where systemd runs) and enables it at
  # boot. We want the binary, not a server on :9090: a policy-rc.d answering 101 makes both invoke-rc.d and
  # deb-systemd-invoke skip the start. One already present is the machine owner's and stays as it is.
  POLICY=/usr/sbin/policy-rc.d
  if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\n# temporary, written by seckill scripts/ensure-promtool.sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    trap 'rm -f "$POLICY"' EXIT
  fi

  echo '  + apt-get update'
  apt-get update
  echo '  + apt-get install -y --no-install-recommends prometheus'
  apt-get install -y --no-install-recommends prometheus

  # Whatever the policy let through: stop the server this install may have started, and keep it from starting
  # at the next boot. Every step tolerates "not there" (no systemd, no init script).
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    echo '  + systemctl disable --now prometheus.service'
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  else
    if command -v deb-systemd-helper >/dev/null 2>&1; then
      deb-systemd-helper disable prometheus.service >/dev/null 2>&1 || true
    fi
    if [[ -x /etc/init.d/prometheus ]]; then
      echo '  + update-rc.d prometheus disable; /etc/init.d/prometheus stop'
      update-rc.d prometheus disable >/dev/null 2>&1 || true
      /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    fi
  fi

  if ! command -v promtool >/dev/null 2>&1; then
    echo "promtool: ERROR: the prometheus package was installed but promtool is still not on PATH" >&2
    exit 1
  fi
  echo "promtool: installed $(command -v promtool) ($(promtool --version 2>&1 | head -n 1))"
  exit 0
fi

echo "promtool: ERROR: promtool is not on PATH and it can only be installed automatically as root on Debian." >&2
echo "promtool: install it (e.g. 'sudo apt-get install prometheus', or the promtool binary from a Prometheus" >&2
echo "promtool: release tarball, https://prometheus.io/download/) so that 'promtool' is on PATH, then run again." >&2
exit 1
