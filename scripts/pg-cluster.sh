#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks: a fresh cluster in a temp folder, listening only on
# 127.0.0.1 on a free port (and a Unix socket inside the folder), fsync on, trust authentication (nothing but
# this machine can reach it).
#
#   eval "$(bash scripts/pg-cluster.sh start)"   # prints: export NEEDLEWORK_TEST_PG=… NEEDLEWORK_PG_DIR=…
#   build/pg/tests/store/store_test              # the PostgreSQL tests use NEEDLEWORK_TEST_PG
#   bash scripts/pg-cluster.sh stop              # stops the server and removes the folder ($NEEDLEWORK_PG_DIR)
#   bash scripts/pg-cluster.sh env [DIR]         # prints the exports again for a running cluster
#   bash scripts/pg-cluster.sh halt DIR          # stops the server (fast shutdown), keeping the cluster
#   bash scripts/pg-cluster.sh resume DIR        # starts a halted cluster again on the same port
#
# halt and resume are for fault tests (tests/durability/faults_test.cpp): the database goes away under load
# and comes back.
#
# Every cluster has its own folder, so several can run at once. initdb refuses to run as root: as root the
# server runs as the `postgres` user (runuser); as anyone else, as that user. The server is PostgreSQL's
# newest under /usr/lib/postgresql (Debian's `postgresql` package; scripts/install-deps.sh installs it).
set -euo pipefail

usage() {
  echo "usage: $0 start | stop [DIR] | env [DIR] | halt DIR | resume DIR" >&2
  exit 2
}

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    echo "pg-cluster: no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)" >&2
    exit 1
  fi
  echo "$dir"
}

# Runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

print_env() {
  local dir=$1
  local port
  port=$(cat "$dir/port")
  echo "export NEEDLEWORK_TEST_PG='host=127.0.0.1 port=$port user=postgres dbname=postgres'"
  echo "export NEEDLEWORK_PG_DIR='$dir'"
}

start() {
  local bin dir port
  bin=$(bindir)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/needlework-pg.XXXXXX")
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  if ! as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  # A free port can be taken between asking and listening: try a few.
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/pg-cluster.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
max_connections = 100
EOF
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      print_env "$dir"
      return 0
    fi
  done
  cat "$dir/server.log" >&2 || true
  rm -rf "$dir"
  echo "pg-cluster: the server did not start" >&2
  exit 1
}

stop() {
  local dir=${1:-${NEEDLEWORK_PG_DIR:-}}
  if [ -z "$dir" ]; then
    echo "pg-cluster: which cluster? pass its folder or set NEEDLEWORK_PG_DIR" >&2
    exit 2
  fi
  if [ ! -f "$dir/port" ] || [ ! -d "$dir/data" ]; then
    echo "pg-cluster: $dir is not a cluster made by this script" >&2
    exit 1
  fi
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

# The cluster in DIR, checked: made by this script.
cluster_dir() {
  local dir=${1:-${NEEDLEWORK_PG_DIR:-}}
  if [ -z "$dir" ] || [ ! -f "$dir/port" ] || [ ! -d "$dir/data" ]; then
    echo "pg-cluster: '${dir}' is not a cluster made by this script" >&2
    exit 1
  fi
  echo "$dir"
}

case "${1:-}" in
  start) start ;;
  halt)
    dir=$(cluster_dir "${2:-}")
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    ;;
  resume)
    dir=$(cluster_dir "${2:-}")
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
  stop) stop "${2:-}" ;;
  env)
    dir=${2:-${NEEDLEWORK_PG_DIR:-}}
    [ -n "$dir" ] && [ -f "$dir/port" ] || { echo "pg-cluster: no cluster at '${dir}'" >&2; exit 1; }
    print_env "$dir"
    ;;
  *) usage ;;
esac
