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

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is not installed (dotnet is not on PATH)." >&2
  exit 1
fi

source scripts/bench-postgres.sh
# Bulk-load settings: few checkpoints during the COPY, commits not waiting for the disk (a benchmark cluster), room
# for the HNSW build (the loader raises maintenance_work_mem in its own session) and one parallel worker for it.
bench_postgres bench-load skmemory-bench-load 54339 120 "-c shared_buffers=${SKMEMORY_BENCH_SHARED_BUFFERS:-2GB} -c maintenance_work_mem=512MB -c max_wal_size=16GB -c checkpoint_timeout=30min -c synchronous_commit=off -c max_parallel_maintenance_workers=2 -c effective_cache_size=8GB"

log "building skmem"
dotnet build src/SkMemory.Cli -c Release -nologo -v q >&2
dotnet run --project src/SkMemory.Cli -c Release --no-build -- bench load --postgres "${cs}" --embedded "$@"
