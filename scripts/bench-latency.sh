#!/usr/bin/env bash
# Runs the recall latency benchmark (skmem bench latency) on the embedded SQLite store and on PostgreSQL, and writes its
# section of docs/benchmarks.md. Extra arguments go to the command, e.g. --queries 500 or --no-write.
#
# PostgreSQL: the server named by $SKMEMORY_BENCH_POSTGRES (a connection string; pgvector must be available), or else a
# local PostgreSQL 15 cluster started here on a free port and stopped at the end. That cluster's data stays in
# $SKMEMORY_BENCH_PGDATA (default: ${TMPDIR:-/tmp}/skmemory-bench-postgres-<uid>), and the SQLite data set stays in
# $SKMEMORY_HOME/bench, so a re-run reuses the loaded memories instead of loading them again. Delete them to start over.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is not installed (dotnet is not on PATH)." >&2
  exit 1
fi

source scripts/bench-postgres.sh
bench_postgres bench-latency skmemory-bench-postgres 54329 60 "-c shared_buffers=512MB -c maintenance_work_mem=512MB -c synchronous_commit=off"

dotnet run --project src/SkMemory.Cli -c Release -- bench latency --postgres "${cs}" "$@"
