#!/usr/bin/env bash
# `npm test [-- unit|svc|int|e2e|<substring>]`: install if needed, make sure PostgreSQL/Redis/RabbitMQ answer,
# build, then run the compiled tests with scripts/run-tests.mjs (its last line is `N passed, N failed`).
# No migration and no seeding here: every suite creates its own database, vhost and key prefix, so tests
# never touch the development data that `npm start` uses.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# --- dependencies: npm ci when node_modules is missing or older than the lockfile ---------------------------
if [[ -f package-lock.json ]]; then
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "test: installing dependencies (npm ci)"
    npm ci
  fi
elif [[ ! -d node_modules ]]; then
  echo "test: installing dependencies (npm install, no lockfile)"
  npm install
fi

bash scripts/infra.sh
bash scripts/ensure-chromium.sh   # the shop and ops pages' browser tests drive Debian's Chromium
bash scripts/ensure-promtool.sh   # the alerting rules' unit test runs promtool (check rules/config, test rules)
node scripts/build.mjs
# Style and module boundaries (apps → libs, contracts → nothing) are part of the suite: a violation fails CI.
npm run --silent lint

# exec: the runner's exit code and its last line are what npm (and .ci/run) see.
exec node scripts/run-tests.mjs "$@"
