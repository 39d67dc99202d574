#!/usr/bin/env bash
# Makes sure what the test suite runs against is installed: PostgreSQL's server binaries,
# Chromium and Redis (for the Redis rate-limit storage), all from Debian's packages. Installs
# what is missing when running as root; otherwise says what to do (and fails under CI=true).
set -euo pipefail

have_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || command -v pg_ctl >/dev/null
}
have_chromium() {
  command -v chromium >/dev/null
}
have_redis() {
  command -v redis-server >/dev/null
}

missing=()
have_postgres || missing+=(postgresql)
have_chromium || missing+=(chromium)
have_redis || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} (Debian packages) for the test suite..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing for the test suite: ${missing[*]} (Debian packages); install them as root." >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
fi
