#!/usr/bin/env bash
# Makes sure the services the test suite runs against are installed: PostgreSQL's server binaries
# (Debian's `postgresql`). Installs them when missing and running as root; otherwise says what to do.
set -euo pipefail

have_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || command -v pg_ctl >/dev/null
}

if ! have_postgres; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing PostgreSQL (Debian package) for the test suite..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  else
    echo "PostgreSQL server binaries are missing: install Debian's 'postgresql' package." >&2
    if [ "${CI:-}" = "true" ]; then exit 1; fi
  fi
fi
