#!/usr/bin/env bash
# `npm start`: install if needed, bring up the infrastructure, build, migrate, seed the demo sale, then run
# order-api, order-worker and websocket-notifier in the foreground with prefixed logs.
# Ctrl-C (or SIGTERM) stops all three cleanly; if any of them exits, the others are stopped and we exit 1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ORDER_API_PORT="${ORDER_API_PORT:-3000}"
ORDER_WORKER_PORT="${ORDER_WORKER_PORT:-3001}"
NOTIFIER_PORT="${NOTIFIER_PORT:-8085}"
STOP_GRACE_SECONDS="${STOP_GRACE_SECONDS:-15}"
APPS=(order-api order-worker websocket-notifier)

# --- dependencies: npm ci when node_modules is missing or older than the lockfile ---------------------------
if [[ -f package-lock.json ]]; then
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "start: installing dependencies (npm ci)"
    npm ci
  fi
elif [[ ! -d node_modules ]]; then
  echo "start: installing dependencies (npm install, no lockfile)"
  npm install
fi

# --- infrastructure, build, database, demo data -------------------------------------------------------------
bash scripts/infra.sh
node scripts/build.mjs
node dist/tools/src/migrate.js
# Keep seed-demo's output (the demo logins) to show it again under the URLs once the apps are up
# (its JSON log lines are left out there).
seed_output="$(node dist/tools/src/seed-demo.js)"
printf '%s\n' "$seed_output"

# --- the three apps ------------------------------------------------------------------------------------------
declare -A PID_OF=()   # app name -> pid (also its process group id: each app runs in its own group)
stopping=0

# Send SIGTERM once to every app still running, wait up to STOP_GRACE_SECONDS, then SIGKILL what is left.
stop_all() {
  local name pid deadline
  for name in "${!PID_OF[@]}"; do
    pid="${PID_OF[$name]}"
    kill -0 "$pid" 2>/dev/null && kill -TERM -- "-$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + STOP_GRACE_SECONDS))
  for name in "${!PID_OF[@]}"; do
    pid="${PID_OF[$name]}"
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "start: $name did not stop within ${STOP_GRACE_SECONDS}s, killing it" >&2
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

on_signal() {
  ((stopping)) && return
  stopping=1
  echo
  echo "start: stopping ${APPS[*]}"
  stop_all
  echo "start: stopped"
  exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
# Never leave orphans behind, whatever makes this script exit (set -e included).
trap '((stopping)) || { stopping=1; stop_all; }' EXIT

start_app() {
  local name="$1"
  # set -m puts the app in its own process group: the terminal's Ctrl-C reaches only this script, which then
  # sends exactly one SIGTERM per app (two signals would cut a graceful shutdown short).
  # The log prefixer ignores INT/TERM and ends when the app closes its output, so the app's last log lines
  # (its shutdown) are not lost to a broken pipe.
  set -m
  node "dist/apps/$name/src/main.js" > >(trap '' INT TERM; exec sed -u "s/^/[$name] /") 2>&1 &
  PID_OF[$name]=$!
  set +m
}

for app in "${APPS[@]}"; do
  start_app "$app"
done

# Wait (bounded) until each app answers /health, then show where everything is.
health_ok() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
}
for pair in "order-api $ORDER_API_PORT" "order-worker $ORDER_WORKER_PORT" "websocket-notifier $NOTIFIER_PORT"; do
  read -r name port <<<"$pair"
  deadline=$((SECONDS + 60))
  until health_ok "http://127.0.0.1:$port/health"; do
    kill -0 "${PID_OF[$name]}" 2>/dev/null || break # exited: the wait below reports it
    if ((SECONDS >= deadline)); then
      echo "start: WARNING: $name does not answer http://127.0.0.1:$port/health after 60s" >&2
      break
    fi
    sleep 0.5
  done
done

cat <<EOF

==================================================================================================
  shop                 http://localhost:$ORDER_API_PORT/
  API docs             http://localhost:$ORDER_API_PORT/docs
  ops                  http://localhost:$ORDER_API_PORT/ops
  worker health        http://localhost:$ORDER_WORKER_PORT/health
  notifier             ws://localhost:$NOTIFIER_PORT/{uuid}?token=ACCESS_TOKEN
  RabbitMQ management  http://localhost:15672  (guest / guest)

  demo data (from seed-demo):
$(printf '%s\n' "$seed_output" | grep -v '^{' | sed 's/^/    /')

  Ctrl-C stops everything.
==================================================================================================

EOF

# Run until an app exits or a signal arrives (the traps above handle signals; `wait` returns for them).
status=0
wait -n "${PID_OF[@]}" || status=$?
((stopping)) && exit 0
for name in "${APPS[@]}"; do
  if ! kill -0 "${PID_OF[$name]}" 2>/dev/null; then
    echo "start: $name exited (status $status); stopping the others" >&2
  fi
done
stopping=1
stop_all
exit 1
