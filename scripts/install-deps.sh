#!/usr/bin/env bash
# Installs what SkMemory's tests need on a Debian/Ubuntu machine and skips what is already there:
#   - Node.js and npm (Debian's nodejs and npm packages), for the TypeScript MCP SDK client tests and the browser tests
#   - Chromium (Debian's chromium package, /usr/bin/chromium), for the Memory Inspector's browser tests
#   - PostgreSQL 15 server and client (for the Postgres store's tests)
#   - pgvector: a binary package when the machine's sources have one, else built from Debian's own
#     source package (trixie) against the installed server. See docs/postgres.md.
# Safe to run repeatedly. Needs root (or sudo) only when something is missing.
set -euo pipefail

log() { printf '[install-deps] %s\n' "$*" >&2; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    log "not root and no sudo: install PostgreSQL 15 + pgvector yourself, or set SKMEMORY_TEST_POSTGRES to a server with pgvector"; exit 1
  fi
fi

apt_updated=0
apt_update() { if [ "$apt_updated" -eq 0 ]; then log "apt-get update"; $SUDO apt-get update -qq >/dev/null; apt_updated=1; fi; }
apt_install() { apt_update; log "apt-get install $*"; $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "${node_major}" -lt 18 ]; then
  log "Node.js $(node --version 2>/dev/null || echo '(none)') is too old for the TypeScript MCP SDK tests: install Node.js 18 or newer"; exit 1
fi
if [ "${node_major}" -lt 20 ]; then
  log "warning: Node.js $(node --version) runs the TypeScript MCP SDK tests, but playwright-core (the Inspector's browser tests) needs Node.js 20 or newer"
fi

# Debian's Chromium, which the Inspector's browser tests drive headless through playwright-core (no browser download).
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

PG_MAJOR="${SKMEMORY_PG_MAJOR:-15}"
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"

if [ ! -x "${PG_BIN}/initdb" ]; then
  apt_install "postgresql-${PG_MAJOR}" "postgresql-client-${PG_MAJOR}"
fi

ext_dir="$("${PG_BIN}/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/${PG_MAJOR}")/extension"
if [ -f "${ext_dir}/vector.control" ]; then
  log "pgvector already installed"
  exit 0
fi

apt_update
if apt-cache show "postgresql-${PG_MAJOR}-pgvector" >/dev/null 2>&1; then
  apt_install "postgresql-${PG_MAJOR}-pgvector"
else
  log "no pgvector binary package: building Debian's pgvector source package (about a minute)"
  apt_install "postgresql-server-dev-${PG_MAJOR}" build-essential dpkg-dev
  # A source-only entry for trixie, using the same archive as the machine's own sources.
  archive_uri="$(grep -h -m1 -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | head -n1)"
  if [ -z "${archive_uri}" ]; then
    archive_uri="$(grep -h -m1 -E '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1)"
  fi
  if [ -z "${archive_uri}" ]; then log "cannot find the Debian archive in the apt sources: install pgvector by hand"; exit 1; fi
  cat <<SRC | $SUDO tee /etc/apt/sources.list.d/skmemory-trixie-src.sources >/dev/null
Types: deb-src
URIs: ${archive_uri}
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt_updated=0; apt_update
  work="$(mktemp -d)"
  ( cd "${work}" && apt-get source -qq pgvector >/dev/null 2>&1 )
  src="$(find "${work}" -maxdepth 1 -type d -name 'pgvector-*' | head -n1)"
  if [ -z "${src}" ]; then log "apt-get source pgvector failed: check the deb-src entry in /etc/apt/sources.list.d/skmemory-trixie-src.sources"; exit 1; fi
  make -s -C "${src}" PG_CONFIG="${PG_BIN}/pg_config" >/dev/null
  $SUDO make -s -C "${src}" PG_CONFIG="${PG_BIN}/pg_config" install >/dev/null
  rm -rf "${work}"
fi
[ -f "${ext_dir}/vector.control" ] || { log "pgvector did not install into ${ext_dir}"; exit 1; }
log "pgvector installed"
