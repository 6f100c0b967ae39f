#!/usr/bin/env bash
# Makes PostgreSQL, Redis and RabbitMQ (+ management API) available for development and tests.
#
# For each service, in this order:
#   1. something already answers on its port       -> use it, touch nothing;
#   2. its URL points at another host               -> only report that it is unreachable (never install);
#   3. `docker info` and `docker compose` work      -> `docker compose up -d --wait <service>`;
#   4. Debian, running as root                      -> apt-get install what is missing, start it on loopback.
# Idempotent: running it twice in a row starts nothing the second time.
# It does NOT create the database or run migrations: that is `node dist/tools/src/migrate.js` (needs the build).
#
# Environment (all optional):
#   DATABASE_URL / REDIS_URL / RABBITMQ_URL / RABBITMQ_MANAGEMENT_URL   same defaults as the apps
#   REDIS_CLUSTER_NODES=host:port,…   a Redis Cluster: checked (one seed node must answer), never started here;
#                                     RABBITMQ_URL / RABBITMQ_MANAGEMENT_URL listing several nodes likewise
#   INFRA_TIMEOUT=90          seconds to wait for each service before failing
#   INFRA_DRY_RUN=1           print the commands that would change the machine instead of running them
#   INFRA_ASSUME_DOWN=redis,postgres,rabbitmq,management   treat these as not answering (to test the branches)
#   INFRA_ASSUME_NOT_INSTALLED=...                          treat these as not installed (dry-run testing)
#   INFRA_NO_DOCKER=1         never use docker, even when it works
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/seckill}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
RABBITMQ_URL="${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672}"
RABBITMQ_MANAGEMENT_URL="${RABBITMQ_MANAGEMENT_URL:-http://guest:guest@127.0.0.1:15672}"
INFRA_TIMEOUT="${INFRA_TIMEOUT:-90}"
INFRA_DRY_RUN="${INFRA_DRY_RUN:-0}"
INFRA_ASSUME_DOWN=",${INFRA_ASSUME_DOWN:-},"
INFRA_ASSUME_NOT_INSTALLED=",${INFRA_ASSUME_NOT_INSTALLED:-},"
export DEBIAN_FRONTEND=noninteractive

log() { printf '%s\n' "$*"; }
die() { printf 'infra: ERROR: %s\n' "$*" >&2; exit 1; }

# Runs a command that changes the machine; in dry-run mode only prints it.
run() {
  if [[ "$INFRA_DRY_RUN" == 1 ]]; then
    printf '  (dry run) would run:'; printf ' %q' "$@"; printf '\n'
  else
    printf '  +'; printf ' %q' "$@"; printf '\n'
    "$@"
  fi
}

# ---------------------------------------------------------------------------------------------- URL parsing
# Sets URL_HOST and URL_PORT from a URL such as scheme://user:pass@host:port/path (IPv6 in brackets allowed).
parse_url() {
  local url="$1" default_port="$2" rest hostport
  rest="${url#*://}"        # drop scheme
  rest="${rest%%/*}"        # drop path
  rest="${rest%%\?*}"       # drop query
  hostport="${rest##*@}"    # drop credentials
  if [[ "$hostport" =~ ^\[([^]]+)\](:([0-9]+))?$ ]]; then
    URL_HOST="${BASH_REMATCH[1]}"; URL_PORT="${BASH_REMATCH[3]:-$default_port}"
  elif [[ "$hostport" =~ ^([^:]+)(:([0-9]+))?$ ]]; then
    URL_HOST="${BASH_REMATCH[1]}"; URL_PORT="${BASH_REMATCH[3]:-$default_port}"
  else
    die "cannot parse host and port from '$url'"
  fi
}

is_local_host() {
  case "$1" in 127.0.0.1 | localhost | ::1 | 0.0.0.0) return 0 ;; *) return 1 ;; esac
}

# ---------------------------------------------------------------------------------------------- probes
# "Answering" means speaking the protocol, not just accepting TCP: some networks (proxies, sandboxes) accept
# any connection and reset it. Each probe sends the protocol's opening bytes and checks the first reply
# (node's net module: no psql/redis-cli needed), bounded to 2 s. Kinds: postgres, redis, rabbitmq.
port_open() {
  local name="$1" host="$2" port="$3"
  [[ "$INFRA_ASSUME_DOWN" == *",$name,"* ]] && return 1
  PROBE_KIND="${name%-wait}" PROBE_HOST="$host" PROBE_PORT="$port" timeout 3 node -e '
    const { PROBE_KIND: kind, PROBE_HOST: host, PROBE_PORT: port } = process.env;
    const hello = {
      postgres: Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]), // SSLRequest: server answers S or N
      redis: Buffer.from("PING\r\n"),                              // +PONG (or -NOAUTH when protected)
      rabbitmq: Buffer.from("AMQP\x00\x00\x09\x01"),             // AMQP 0-9-1 header: connection.start frame
    }[kind];
    const ok = {
      postgres: (b) => b[0] === 0x53 || b[0] === 0x4e,
      redis: (b) => /^(\+PONG|-NOAUTH)/.test(b.toString()),
      rabbitmq: (b) => b[0] === 1,
    }[kind];
    const socket = require("node:net").connect(Number(port), host, () => socket.write(hello));
    socket.setTimeout(2000, () => process.exit(1));
    socket.once("data", (b) => process.exit(ok(b) ? 0 : 1));
    socket.on("error", () => process.exit(1));
    socket.on("close", () => process.exit(1));
  ' 2>/dev/null
}

# GET <url>/api/overview with basic auth taken from the URL; node's fetch refuses credentials in URLs. A list of a
# cluster's endpoints (split where the next URL begins, as the apps do) answers when any endpoint does.
management_answers() {
  [[ "$INFRA_ASSUME_DOWN" == *",management,"* ]] && return 1
  MGMT_URL="$1" timeout 5 node -e '
    const answers = (raw) => {
      const u = new URL(raw);
      const auth = "Basic " + Buffer.from(decodeURIComponent(u.username || "guest") + ":" + decodeURIComponent(u.password || "guest")).toString("base64");
      u.username = ""; u.password = ""; u.pathname = u.pathname.replace(/\/$/, "") + "/api/overview";
      return fetch(u, { headers: { authorization: auth }, signal: AbortSignal.timeout(4000) }).then((r) => r.ok, () => false);
    };
    const endpoints = process.env.MGMT_URL.trim().split(/\s*,\s*(?=[a-z][a-z0-9+.-]*:\/\/)/i);
    Promise.all(endpoints.map((e) => answers(e).catch(() => false))).then((ok) => process.exit(ok.includes(true) ? 0 : 1));
  ' 2>/dev/null
}

# wait_for <what> <seconds> <command...>: retries the command every second until it succeeds.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  if [[ "$INFRA_DRY_RUN" == 1 ]]; then log "  (dry run) would wait up to ${seconds}s for $what"; return 0; fi
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      die "$what did not answer within ${seconds}s (set INFRA_TIMEOUT to wait longer)"
    fi
    sleep 1
  done
}

docker_usable() {
  [[ "${INFRA_NO_DOCKER:-0}" != 1 ]] || return 1
  command -v docker >/dev/null 2>&1 || return 1
  docker info >/dev/null 2>&1 || return 1
  docker compose version >/dev/null 2>&1
}

can_apt() {
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -f /etc/debian_version ]]
}

not_installed_override() { [[ "$INFRA_ASSUME_NOT_INSTALLED" == *",$1,"* ]]; }

pg_installed() { ! not_installed_override postgres && command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /usr/lib/postgresql ]]; }
redis_installed() { ! not_installed_override redis && command -v redis-server >/dev/null 2>&1; }
rabbit_installed() { ! not_installed_override rabbitmq && command -v rabbitmq-server >/dev/null 2>&1 && command -v rabbitmqctl >/dev/null 2>&1; }

APT_UPDATED=0
apt_install() {
  if [[ "$APT_UPDATED" == 0 ]]; then run apt-get update; APT_UPDATED=1; fi
  run apt-get install -y --no-install-recommends "$@"
}

# ---------------------------------------------------------------------------------------------- what is where
# A cluster (several nodes in one setting) is somebody else's to run, e.g. `npm run lab`: the first node that
# answers stands for it, and when none does we stop with a message rather than start a lone server in its place.
pick_node() {
  local kind="$1" list="$2" default_port="$3" node
  IFS=',' read -ra nodes <<<"$list"
  for node in "${nodes[@]}"; do
    [[ "$node" == *://* ]] || node="$kind://$node"
    parse_url "$node" "$default_port"
    port_open "$kind" "$URL_HOST" "$URL_PORT" && return 0
  done
  die "$kind: no node of the cluster answers ($list); infra.sh does not start clusters"
}

parse_url "$DATABASE_URL" 5432;            PG_HOST="$URL_HOST";     PG_PORT="$URL_PORT"
if [[ -n "${REDIS_CLUSTER_NODES:-}" ]]; then pick_node redis "$REDIS_CLUSTER_NODES" 6379
else parse_url "$REDIS_URL" 6379; fi;      REDIS_HOST="$URL_HOST";  REDIS_PORT="$URL_PORT"
if [[ "$RABBITMQ_URL" == *,* ]]; then pick_node rabbitmq "$RABBITMQ_URL" 5672
else parse_url "$RABBITMQ_URL" 5672; fi;   RABBIT_HOST="$URL_HOST"; RABBIT_PORT="$URL_PORT"
# Several management endpoints: the one named in the messages below is the first that answers (else the first).
parse_url "${RABBITMQ_MANAGEMENT_URL%%,*}" 15672
if [[ "$RABBITMQ_MANAGEMENT_URL" == *,* ]]; then
  IFS=',' read -ra endpoints <<<"$RABBITMQ_MANAGEMENT_URL"
  for endpoint in "${endpoints[@]}"; do management_answers "$endpoint" && { parse_url "$endpoint" 15672; break; }; done
fi;                                        MGMT_HOST="$URL_HOST";  MGMT_PORT="$URL_PORT"

# Services (compose names) that are local, not answering, and therefore ours to start.
missing=()
for svc in postgres redis rabbitmq; do
  case "$svc" in
    postgres) host="$PG_HOST"; port="$PG_PORT"; default=5432 ;;
    redis) host="$REDIS_HOST"; port="$REDIS_PORT"; default=6379 ;;
    rabbitmq) host="$RABBIT_HOST"; port="$RABBIT_PORT"; default=5672 ;;
  esac
  if port_open "$svc" "$host" "$port"; then
    log "$svc: already answering on $host:$port"
  elif ! is_local_host "$host"; then
    # A remote host is somebody else's to run: we only check it, never install anything for it.
    die "$svc: nothing answers on $host:$port (remote host from the URL: not starting anything; start it there or fix the URL)"
  elif [[ "$port" != "$default" && "$svc" != redis ]]; then
    # docker compose and the Debian packages only provide the default port (redis can run on any port).
    die "$svc: nothing answers on $host:$port; infra.sh only starts $svc on its default port $default"
  else
    log "$svc: not answering on $host:$port"
    missing+=("$svc")
  fi
done

USED_DOCKER=0
if ((${#missing[@]} > 0)); then
  if docker_usable; then
    # ------------------------------------------------------------------------------------------ docker
    USED_DOCKER=1
    [[ " ${missing[*]} " == *" redis "* && "$REDIS_PORT" != 6379 ]] && die "redis: docker compose publishes 6379 only, REDIS_URL asks for $REDIS_PORT"
    log "docker: starting ${missing[*]} with docker compose (waits for their health checks)"
    run timeout "$((INFRA_TIMEOUT * 2))" docker compose up -d --wait "${missing[@]}" ||
      die "docker compose up failed or timed out; see 'docker compose logs ${missing[*]}'"
  elif can_apt; then
    # ------------------------------------------------------------------------------------------ Debian packages
    to_install=()
    fresh_pg=0; fresh_rabbit=0
    for svc in "${missing[@]}"; do
      case "$svc" in
        postgres) pg_installed || { to_install+=(postgresql); fresh_pg=1; } ;;
        redis) redis_installed || to_install+=(redis-server) ;;
        rabbitmq) rabbit_installed || { to_install+=(rabbitmq-server); fresh_rabbit=1; } ;;
      esac
    done
    if ((${#to_install[@]} > 0)); then
      log "apt: installing ${to_install[*]}"
      apt_install "${to_install[@]}"
    fi

    for svc in "${missing[@]}"; do
      case "$svc" in
      postgres)
        # Newest installed major version; Debian's postinst normally creates the "main" cluster.
        pg_version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)"
        if [[ -z "$pg_version" ]]; then
          pg_version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1 || true)"
          [[ -n "$pg_version" || "$INFRA_DRY_RUN" == 1 ]] || die "postgres: no PostgreSQL version found under /usr/lib/postgresql"
          pg_version="${pg_version:-VERSION}"
          run pg_createcluster "$pg_version" main
          fresh_pg=1
        fi
        if [[ "$fresh_pg" == 1 ]]; then
          # The apps and migrate connect as postgres over TCP without a password (development only).
          log "postgres: configuring cluster $pg_version/main: trust for 127.0.0.1, listen on 127.0.0.1"
          hba="/etc/postgresql/$pg_version/main/pg_hba.conf"
          conf_d="/etc/postgresql/$pg_version/main/conf.d"
          # pg_hba is first-match: rewrite the stock 127.0.0.1/32 line, or prepend ours if there is none.
          run sed -i -E 's|^(host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+).*$|\1trust|' "$hba"
          if [[ "$INFRA_DRY_RUN" != 1 ]] && ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
            run sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
          fi
          run mkdir -p "$conf_d"
          run bash -c "printf '%s\n' \"listen_addresses = '127.0.0.1'\" > '$conf_d/90-seckill-dev.conf'"
          # The postinst may already have started it with the stock config: restart to apply ours.
          run pg_ctlcluster --skip-systemctl-redirect "$pg_version" main restart || true
        fi
        log "postgres: starting cluster $pg_version/main"
        # Exit code 2 means "already running" (e.g. started but still recovering): the wait below decides.
        run pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start || log "  (pg_ctlcluster start returned $?, waiting for the port anyway)"
        ;;
      redis)
        log "redis: starting redis-server on 127.0.0.1:$REDIS_PORT (no persistence)"
        run mkdir -p /var/lib/redis /var/log/redis
        run redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
          --dir /var/lib/redis --logfile /var/log/redis/ci.log
        ;;
      rabbitmq)
        if [[ "$fresh_rabbit" == 1 && ! -s /etc/rabbitmq/rabbitmq.conf ]]; then
          # Loopback only, and a node name that does not depend on the container's hostname resolving.
          log "rabbitmq: configuring loopback listeners and node name rabbit@localhost"
          run mkdir -p /etc/rabbitmq
          run bash -c "printf '%s\n' 'listeners.tcp.local = 127.0.0.1:5672' 'management.tcp.ip = 127.0.0.1' > /etc/rabbitmq/rabbitmq.conf"
          [[ -s /etc/rabbitmq/rabbitmq-env.conf ]] ||
            run bash -c "printf '%s\n' 'NODENAME=rabbit@localhost' 'ERL_EPMD_ADDRESS=127.0.0.1' > /etc/rabbitmq/rabbitmq-env.conf"
        fi
        # The Debian postinst may have started it already: only start a node if the port is still closed.
        if [[ "$INFRA_DRY_RUN" == 1 ]] || ! port_open rabbitmq "$RABBIT_HOST" "$RABBIT_PORT"; then
          log "rabbitmq: starting rabbitmq-server (detached)"
          run rabbitmq-server -detached
        fi
        log "rabbitmq: waiting for the node to boot (rabbitmqctl await_startup, ${INFRA_TIMEOUT}s max)"
        # await_startup fails at once while the node's Erlang VM is not up yet, hence the retry loop.
        wait_for "rabbitmq node startup" "$INFRA_TIMEOUT" \
          timeout "$INFRA_TIMEOUT" rabbitmqctl -q -t "$INFRA_TIMEOUT" await_startup
        ;;
      esac
    done
  else
    die "${missing[*]} not answering, docker is not usable and this is not Debian as root: start them yourself (see docs/infrastructure.md)"
  fi

  # Every service we started must answer before we return (the probe name skips INFRA_ASSUME_DOWN).
  for svc in "${missing[@]}"; do
    case "$svc" in
      postgres) host="$PG_HOST"; port="$PG_PORT" ;;
      redis) host="$REDIS_HOST"; port="$REDIS_PORT" ;;
      rabbitmq) host="$RABBIT_HOST"; port="$RABBIT_PORT" ;;
    esac
    wait_for "$svc on $host:$port" "$INFRA_TIMEOUT" port_open "$svc-wait" "$host" "$port"
    log "$svc: answering on $host:$port"
  done
fi

# PostgreSQL accepts TCP connections a moment before it accepts queries (startup/recovery): use pg_isready
# when it is installed, so the migrate step right after us does not race it.
if command -v pg_isready >/dev/null 2>&1; then
  wait_for "postgres readiness (pg_isready)" "$INFRA_TIMEOUT" pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
fi

# ---------------------------------------------------------------------------------------------- management API
# The ops page and the tests read queue depths from the management API; metrics come from rabbitmq_prometheus.
# With docker the compose file enables both plugins. Locally we enable them when rabbitmq-plugins is installed
# and the broker is ours (local); enabling is idempotent and works on a running node.
if [[ "$USED_DOCKER" == 0 ]] && is_local_host "$RABBIT_HOST" && command -v rabbitmq-plugins >/dev/null 2>&1; then
  enabled="$(rabbitmq-plugins -q list -e 2>/dev/null || true)"
  if [[ "$INFRA_DRY_RUN" != 1 ]] && grep -Eq '\[E.?\][[:space:]]+rabbitmq_management[[:space:]]' <<<"$enabled" &&
    grep -Eq '\[E.?\][[:space:]]+rabbitmq_prometheus[[:space:]]' <<<"$enabled"; then
    log "rabbitmq: plugins rabbitmq_management and rabbitmq_prometheus already enabled"
  else
    log "rabbitmq: enabling plugins rabbitmq_management and rabbitmq_prometheus"
    # Not fatal: the broker answering here may not be this machine's node (e.g. a container); the management
    # check below is what decides.
    run rabbitmq-plugins enable rabbitmq_management rabbitmq_prometheus ||
      log "rabbitmq: WARNING: 'rabbitmq-plugins enable' failed (needs root or the rabbitmq user for the Erlang cookie)"
  fi
fi

if management_answers "$RABBITMQ_MANAGEMENT_URL"; then
  log "rabbitmq: management API already answering on http://$MGMT_HOST:$MGMT_PORT (api/overview)"
else
  if ! is_local_host "$MGMT_HOST"; then
    die "rabbitmq: management API not answering on http://$MGMT_HOST:$MGMT_PORT (remote host: not changing anything)"
  fi
  log "rabbitmq: waiting for the management API on http://$MGMT_HOST:$MGMT_PORT/api/overview (${INFRA_TIMEOUT}s max)"
  wait_for "rabbitmq management API on http://$MGMT_HOST:$MGMT_PORT/api/overview (guest:guest)" "$INFRA_TIMEOUT" \
    management_answers "$RABBITMQ_MANAGEMENT_URL"
  log "rabbitmq: management API answering on http://$MGMT_HOST:$MGMT_PORT"
fi

log "infra: postgres $PG_HOST:$PG_PORT, redis $REDIS_HOST:$REDIS_PORT, rabbitmq $RABBIT_HOST:$RABBIT_PORT, management http://$MGMT_HOST:$MGMT_PORT: ready"
