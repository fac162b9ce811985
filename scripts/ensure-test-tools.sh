#!/usr/bin/env bash
# Installs what the test suite needs from Debian's packages when it is missing:
# redis-server (storage adapter on redis), postgresql (the SQL storage adapter on PostgreSQL:
# the tests run initdb/pg_ctl in a temp dir; Debian's own cluster is not created, or stopped),
# chromium (admin UI browser tests), bubblewrap (the session's sandbox: `bwrap` confines the agent,
# the verify script and git on the working tree; its tests run the real one), and promtool
# (validates /metrics; only the binary is taken out of Debian's prometheus package, into
# .tools/bin, so no Prometheus service is installed). A tool that cannot be had stops the run
# with its name; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

# initdb is not on PATH in Debian's package: it lives in /usr/lib/postgresql/<version>/bin
# (test/setup/postgres-server.ts looks in the same places).
have_initdb() {
  command -v initdb >/dev/null 2>&1 && return 0
  [ -x /usr/local/bin/initdb ] && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
have_initdb || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
want_promtool=0
command -v promtool >/dev/null 2>&1 || [ -x .tools/bin/promtool ] || want_promtool=1
[ ${#need[@]} -eq 0 ] && [ $want_promtool -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing test tools: ${need[*]} $([ $want_promtool -eq 1 ] && echo promtool) (no apt-get here to install them)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null 2>&1 || true

if [ ${#need[@]} -gt 0 ]; then
  echo "installing test tools: ${need[*]}" >&2
  if [[ " ${need[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    # Debian would create and start a "main" cluster on port 5432; the tests need none.
    $sudo mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  if ! $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    echo "missing test tools: ${need[*]} (apt-get install failed)" >&2
    exit 1
  fi
  # Debian starts redis-server as a service on install; the tests start their own.
  if [ -x /etc/init.d/redis-server ]; then $sudo /etc/init.d/redis-server stop >/dev/null 2>&1 || true; fi
  # Likewise any PostgreSQL cluster the package may have started.
  if [ -x /etc/init.d/postgresql ]; then $sudo /etc/init.d/postgresql stop >/dev/null 2>&1 || true; fi
  if [[ " ${need[*]} " == *" bubblewrap "* ]] && ! command -v bwrap >/dev/null 2>&1; then
    echo "missing test tool: bubblewrap (bwrap not found after installing it)" >&2
    exit 1
  fi
  if ! have_initdb; then
    echo "missing test tool: postgresql (initdb not found after installing it)" >&2
    exit 1
  fi
fi

if [ $want_promtool -eq 1 ]; then
  echo "fetching promtool from Debian's prometheus package" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  if ! (cd "$work" && apt-get download -qq prometheus >/dev/null 2>&1 && dpkg -x prometheus_*.deb root); then
    echo "missing test tool: promtool (could not download Debian's prometheus package)" >&2
    exit 1
  fi
  mkdir -p .tools/bin
  cp "$work/root/usr/bin/promtool" .tools/bin/promtool
fi
