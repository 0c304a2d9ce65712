#!/usr/bin/env bash
# Runs the scale benchmark (skmem bench load): 1,000,000 memories bulk-loaded into PostgreSQL and 100,000 written into
# the embedded SQLite store, then write throughput, scoped search latency and filtered-ANN recall, and writes the load
# section of docs/benchmarks.md. Extra arguments go to the command, e.g. --memories 20000 --subjects 200 or --no-write.
#
# PostgreSQL: the server named by $SKMEMORY_BENCH_POSTGRES (a connection string; pgvector must be available), or else a
# local PostgreSQL 15 cluster started here on a free port, tuned for a bulk load (large max_wal_size, no synchronous
# commit), and stopped at the end. Its data stays in $SKMEMORY_BENCH_PGDATA (default:
# ${TMPDIR:-/tmp}/skmemory-bench-load-<uid>; about 12 GB for 1,000,000 memories), and the SQLite data set stays in the
# temp folder, so a re-run reuses the loaded memories instead of loading them again. Delete them to start over.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[bench-load] %s\n' "$*" >&2; }

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is not installed (dotnet is not on PATH)." >&2
  exit 1
fi

cs="${SKMEMORY_BENCH_POSTGRES:-}"
if [ -z "${cs}" ]; then
  bash scripts/install-deps.sh
  PG_BIN="${SKMEMORY_PG_BIN:-/usr/lib/postgresql/${SKMEMORY_PG_MAJOR:-15}/bin}"
  dir="${SKMEMORY_BENCH_PGDATA:-${TMPDIR:-/tmp}/skmemory-bench-load-$(id -u)}"
  data="${dir}/data"
  # initdb refuses to run as root: as root, the server tools run as the postgres OS user.
  as_pg() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -c "$(printf '%q ' "$@")"; else "$@"; fi
  }
  mkdir -p "${dir}"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "${dir}"; fi
  if [ ! -f "${data}/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in ${data}"
    as_pg "${PG_BIN}/initdb" -D "${data}" -A trust -U postgres -E UTF8 --locale=C >/dev/null
  fi
  if as_pg "${PG_BIN}/pg_ctl" -D "${data}" status >/dev/null 2>&1; then
    log "stopping a server left running by an earlier run"
    as_pg "${PG_BIN}/pg_ctl" -D "${data}" -m fast -w stop >/dev/null
  fi
  port=54339
  while (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; do port=$((port + 1)); done
  log "starting PostgreSQL on 127.0.0.1:${port}"
  # Bulk-load settings: few checkpoints during the COPY, commits not waiting for the disk (a benchmark cluster), room
  # for the HNSW build (the loader raises maintenance_work_mem in its own session) and one parallel worker for it.
  as_pg "${PG_BIN}/pg_ctl" -D "${data}" -l "${dir}/server.log" -w -t 120 \
    -o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=${SKMEMORY_BENCH_SHARED_BUFFERS:-2GB} -c maintenance_work_mem=512MB -c max_wal_size=16GB -c checkpoint_timeout=30min -c synchronous_commit=off -c max_parallel_maintenance_workers=2 -c effective_cache_size=8GB" \
    start >/dev/null
  trap 'log "stopping PostgreSQL"; as_pg "${PG_BIN}/pg_ctl" -D "${data}" -m fast -w stop >/dev/null || true' EXIT
  psql_bin="${PG_BIN}/psql"; [ -x "${psql_bin}" ] || psql_bin="psql"
  if [ -z "$("${psql_bin}" -h 127.0.0.1 -p "${port}" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'skmemory_bench'")" ]; then
    "${psql_bin}" -h 127.0.0.1 -p "${port}" -U postgres -d postgres -qc "CREATE DATABASE skmemory_bench" >/dev/null
  fi
  "${psql_bin}" -h 127.0.0.1 -p "${port}" -U postgres -d skmemory_bench -qc "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
  cs="Host=127.0.0.1;Port=${port};Username=postgres;Database=skmemory_bench;Command Timeout=0"
fi

log "building skmem"
dotnet build src/SkMemory.Cli -c Release -nologo -v q >&2
dotnet run --project src/SkMemory.Cli -c Release --no-build -- bench load --postgres "${cs}" --embedded "$@"
