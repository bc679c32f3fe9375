#!/usr/bin/env bash
# Starts the servers the server-backed tests use, if they are down, and waits until each accepts
# connections: PostgreSQL on 127.0.0.1:5432 and NATS JetStream on 127.0.0.1:4222.
# Prints what it did. Never fails the build because a service binary is absent: it says why,
# and the tests then report themselves skipped with the reason (or fail when CI is set).
set -u

PG_HOST=127.0.0.1
PG_PORT=5432
NATS_HOST=127.0.0.1
NATS_PORT=4222
TRIES=${CI_SERVICES_TRIES:-30}

say() { printf '[ci-services] %s\n' "$*"; }

# True when something accepts TCP connections on host:port (bash's /dev/tcp, no extra tools).
tcp_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && exec 3>&- 3<&-
}

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

# Waits (bounded) for a probe to succeed: 1 s between tries, $TRIES tries.
wait_for() {
  local name=$1 probe=$2 i
  for ((i = 1; i <= TRIES; i++)); do
    if "$probe"; then
      say "$name accepts connections (after $i check(s))"
      return 0
    fi
    sleep 1
  done
  say "$name still refuses connections after $TRIES checks"
  return 1
}

start_postgres() {
  if pg_ready; then
    say "PostgreSQL already up on $PG_HOST:$PG_PORT"
    return 0
  fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql ]; then
    say "PostgreSQL is down and pg_ctlcluster or /etc/postgresql is missing: not starting it (PostgreSQL tests will skip with the reason, or fail under CI)"
    return 0
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "starting PostgreSQL $version (pg_ctlcluster $version main start)"
  if ! pg_ctlcluster --skip-systemctl-redirect "$version" main start; then
    say "pg_ctlcluster failed to start PostgreSQL $version"
    return 0
  fi
  wait_for PostgreSQL pg_ready || true
}

nats_ready() { tcp_open "$NATS_HOST" "$NATS_PORT"; }

start_nats() {
  if nats_ready; then
    say "NATS already up on $NATS_HOST:$NATS_PORT"
    return 0
  fi
  if [ ! -x /usr/sbin/nats-server ]; then
    say "NATS is down and /usr/sbin/nats-server is missing: not starting it (NATS tests will skip with the reason, or fail under CI)"
    return 0
  fi
  if ! command -v start-stop-daemon >/dev/null 2>&1; then
    say "NATS is down and start-stop-daemon is missing: not starting it"
    return 0
  fi
  say "starting nats-server with JetStream on $NATS_HOST:$NATS_PORT"
  mkdir -p /var/lib/nats-server 2>/dev/null || true
  if ! start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a "$NATS_HOST" -p "$NATS_PORT" -js -sd /var/lib/nats-server -l /var/log/nats-server.log; then
    say "start-stop-daemon failed to start nats-server (see /var/log/nats-server.log)"
    return 0
  fi
  wait_for NATS nats_ready || true
}

start_postgres
start_nats
exit 0
