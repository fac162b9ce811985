#!/usr/bin/env bash
# Installs what the test suite needs from Debian's packages when it is missing:
# redis-server (storage adapter on redis) and chromium (admin UI browser tests).
# A tool that cannot be installed stops the run with its name; nothing is skipped silently.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ "${AI_IMPLEMENT_BROWSER_TESTS:-1}" = "1" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0

echo "installing test tools: ${need[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing test tools: ${need[*]} (no apt-get here to install them)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null 2>&1 || true
if ! $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
  echo "missing test tools: ${need[*]} (apt-get install failed)" >&2
  exit 1
fi
# Debian starts redis-server as a service on install; the tests start their own.
if [ -x /etc/init.d/redis-server ]; then $sudo /etc/init.d/redis-server stop >/dev/null 2>&1 || true; fi
