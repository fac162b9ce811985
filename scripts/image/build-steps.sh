#!/bin/sh
# The image's build steps: the Dockerfile's build stage runs exactly this, and CI runs it on a
# host without docker, in a temp dir:
#
#   sh scripts/image/build-steps.sh OUT_DIR        (from the checkout's root)
#
# It copies the sources (not node_modules, dist, .git, local data or .env files) to
# OUT_DIR/src, installs them with the lockfile, builds the package (`npm run build`: the
# compiled orchestrator and the session bundle), packs it, and lays out OUT_DIR/app as the
# image's /app: the packed files, the lockfile and the production dependencies. Then it checks
# what it laid out, with plain node and no tsx: the bundle's SHA-256, `ai-implement --version`,
# and the session bundle starting (and refusing an empty environment, exit 2).
set -eu

if [ $# -ne 1 ]; then
  echo "usage: sh scripts/image/build-steps.sh OUT_DIR" >&2
  exit 2
fi
src=$(pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
rm -rf "$out/src" "$out/app"
mkdir -p "$out/src" "$out/app"

step() { printf '\n== %s\n' "$*"; }

step "copy the sources to $out/src"
tar -C "$src" \
  --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./.data \
  --exclude=./.test-results --exclude=./.tmp --exclude=./.tools --exclude='./.env*' \
  -cf - . | tar -C "$out/src" -xf -
cd "$out/src"

step "install with the lockfile"
npm ci --no-fund --no-audit

step "build the package (npm run build)"
npm run build

step "pack it"
tarball=$(npm pack --silent --pack-destination "$out" | tail -n 1)
tar -C "$out/app" --strip-components=1 -xzf "$out/$tarball"

step "production dependencies for $out/app (the built ones, without the development ones)"
cp package-lock.json "$out/app/"
cp -R node_modules "$out/app/node_modules"
cd "$out/app"
npm prune --omit=dev --no-fund --no-audit

step "check what the image will hold"
test -f dist/session/session.mjs || { echo "dist/session/session.mjs is not in the package" >&2; exit 1; }
(cd dist/session && sha256sum -c session.mjs.sha256)
bin=$(node -p "require('./package.json').bin['ai-implement']")
node "$bin" --version
code=0
env -i PATH="$PATH" node dist/session/session.mjs >/dev/null 2>&1 || code=$?
if [ "$code" -ne 2 ]; then
  echo "the session bundle should refuse an empty environment with exit 2, got $code" >&2
  exit 1
fi
echo "session bundle $(cut -d ' ' -f 1 dist/session/session.mjs.sha256) runs under plain node"
step "done: $out/app is the image's /app ($tarball)"
