#!/usr/bin/env bash
# Sets up what the tests need (PostgreSQL 15 + pgvector, Node.js and Chromium, via scripts/install-deps.sh; the TypeScript
# MCP SDK and playwright-core, via npm ci) and runs the whole test suite.
# The Postgres tests start their own throwaway cluster; set SKMEMORY_TEST_POSTGRES to a connection string to use an
# existing server instead (it needs the pgvector extension available). After the tests, the eval gate runs the offline
# configuration against evals/slo.json (docs/evals.md).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is not installed (dotnet is not on PATH). Install it, then run scripts/test.sh again." >&2
  exit 1
fi

step "Installing test dependencies (skipped when present)"
bash scripts/install-deps.sh

step "Installing the npm packages the tests use (skipped when up to date)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "error: Node.js and npm are not installed (node or npm is not on PATH); the TypeScript MCP client tests and the Inspector's browser tests need them. Install Node.js 20+ (scripts/install-deps.sh does it with apt), then run scripts/test.sh again." >&2
  exit 1
fi
# Runs npm ci in a folder with a package-lock.json, unless its node_modules is up to date: npm writes
# node_modules/.package-lock.json after every install, so newer than the lockfile means up to date.
npm_ci() {
  local dir="$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}
npm_ci tests/SkMemory.Mcp.Tests/ts              # the official TypeScript MCP SDK
npm_ci tests/SkMemory.Inspector.Tests/browser   # playwright-core, driving /usr/bin/chromium

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="artifacts/test-results"
rm -rf "$results"

step "Building (Release)"
dotnet build SkMemory.sln -c Release -nologo -v quiet

step "Fetching the offline embedding model once into the cache (about 50 MB; skipped when verified)"
dotnet src/SkMemory.Cli/bin/Release/net10.0/skmem.dll model fetch

step "Running the tests"
start=$(date +%s)
status=0
dotnet test SkMemory.sln -c Release --no-build -nologo -v quiet \
  --logger "trx;LogFilePrefix=results" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
end=$(date +%s)

# One closing line for people and CI: totals across every test project.
passed=0; failed=0; skipped=0; total=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  get() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  t=$(get total); p=$(get passed); f=$(get failed); n=$(get notExecuted)
  total=$((total + ${t:-0})); passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo
echo "Test wall time: $((end - start)) s; $total tests"
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$total" -eq 0 ]; then echo "error: no tests ran" >&2; exit 1; fi

# The offline configuration (rule extractor, all-MiniLM-L6-v2) on a fresh embedded SQLite file must meet evals/slo.json;
# a missed or unmeasured objective exits 10 with the table, and fails the script. Reports go to artifacts/eval.
step "Eval gate (offline, embedded)"
rm -rf artifacts/eval
eval_status=0
dotnet src/SkMemory.Cli/bin/Release/net10.0/skmem.dll eval --slo evals/slo.json --report artifacts/eval || eval_status=$?
if [ "$eval_status" -ne 0 ]; then echo "error: the eval gate failed (exit code $eval_status); see the SLO table above and artifacts/eval" >&2; fi
if [ "$status" -ne 0 ]; then exit $status; fi
exit $eval_status
