#!/usr/bin/env bash
# Sourced by the benchmark scripts (bench-latency.sh, bench-load.sh): sets `cs` to a PostgreSQL connection string.
# $SKMEMORY_BENCH_POSTGRES when set; else a local PostgreSQL 15 cluster (pgvector) is started on a free port from
# <first port> and stopped when the calling script exits. Its data stays in $SKMEMORY_BENCH_PGDATA (default
# ${TMPDIR:-/tmp}/<default folder name>-<uid>), so a re-run reuses what an earlier run loaded.
#
#   bench_postgres <log prefix> <default folder name> <first port> <pg_ctl start timeout s> <server options...>
bench_postgres() {
  bench_pg_prefix="$1"
  local folder="$2" first_port="$3" timeout="$4"
  shift 4
  cs="${SKMEMORY_BENCH_POSTGRES:-}"
  if [ -n "${cs}" ]; then
    return
  fi

  bash scripts/install-deps.sh
  PG_BIN="${SKMEMORY_PG_BIN:-/usr/lib/postgresql/${SKMEMORY_PG_MAJOR:-15}/bin}"
  bench_pg_dir="${SKMEMORY_BENCH_PGDATA:-${TMPDIR:-/tmp}/${folder}-$(id -u)}"
  bench_pg_data="${bench_pg_dir}/data"
  mkdir -p "${bench_pg_dir}"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "${bench_pg_dir}"; fi
  if [ ! -f "${bench_pg_data}/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in ${bench_pg_data}"
    as_pg "${PG_BIN}/initdb" -D "${bench_pg_data}" -A trust -U postgres -E UTF8 --locale=C >/dev/null
  fi
  if as_pg "${PG_BIN}/pg_ctl" -D "${bench_pg_data}" status >/dev/null 2>&1; then
    log "stopping a server left running by an earlier run"
    as_pg "${PG_BIN}/pg_ctl" -D "${bench_pg_data}" -m fast -w stop >/dev/null
  fi
  local port="${first_port}"
  while (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; do port=$((port + 1)); done
  log "starting PostgreSQL on 127.0.0.1:${port}"
  as_pg "${PG_BIN}/pg_ctl" -D "${bench_pg_data}" -l "${bench_pg_dir}/server.log" -w -t "${timeout}" \
    -o "-p ${port} -k ${bench_pg_dir} -c listen_addresses=127.0.0.1 $*" start >/dev/null
  trap 'log "stopping PostgreSQL"; as_pg "${PG_BIN}/pg_ctl" -D "${bench_pg_data}" -m fast -w stop >/dev/null || true' EXIT
  local psql_bin="${PG_BIN}/psql"; [ -x "${psql_bin}" ] || psql_bin="psql"
  if [ -z "$("${psql_bin}" -h 127.0.0.1 -p "${port}" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'skmemory_bench'")" ]; then
    "${psql_bin}" -h 127.0.0.1 -p "${port}" -U postgres -d postgres -qc "CREATE DATABASE skmemory_bench" >/dev/null
  fi
  "${psql_bin}" -h 127.0.0.1 -p "${port}" -U postgres -d skmemory_bench -qc "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
  cs="Host=127.0.0.1;Port=${port};Username=postgres;Database=skmemory_bench;Command Timeout=0"
}

# The calling script's log lines, also used by the EXIT trap (after bench_postgres's locals are gone).
log() { printf '[%s] %s\n' "${bench_pg_prefix:-bench}" "$*" >&2; }

# initdb refuses to run as root: as root, the server tools run as the postgres OS user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$(printf '%q ' "$@")"; else "$@"; fi
}
