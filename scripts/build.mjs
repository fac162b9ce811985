#!/usr/bin/env node
// `npm run build`: compiles the package into dist/ (JavaScript, .d.ts and source maps, with
// tsc and tsconfig.build.json), then copies the files the code reads at run time (the admin and
// docs pages, pipeline and workflow YAML, the fakes' schema) beside it.
// `--if-stale` (npm start's prestart) builds only when a source is newer than the last build.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const SOURCE_DIRS = ['core', 'ports', 'adapters', 'plugins', 'hosts', 'testing'];
const SOURCE_FILES = ['index.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'];
/** Run-time files are every non-TypeScript file of the sources but these. */
const NOT_SHIPPED = (name) => name.endsWith('.ts') || name.endsWith('.md') || name === 'tsconfig.json' || name.startsWith('.');

function* files(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

function newestSource() {
  let newest = 0;
  const all = [...SOURCE_DIRS.flatMap((d) => [...files(join(ROOT, d))]), ...SOURCE_FILES.map((f) => join(ROOT, f))];
  for (const file of all) {
    try {
      newest = Math.max(newest, statSync(file).mtimeMs);
    } catch {
      // A listed file that does not exist.
    }
  }
  return newest;
}

function upToDate() {
  return existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSource();
}

function build() {
  const started = Date.now();
  rmSync(DIST, { recursive: true, force: true });
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  if (compiled.status !== 0) {
    console.error('build: tsc failed');
    process.exit(compiled.status ?? 1);
  }
  let copied = 0;
  for (const dir of SOURCE_DIRS) {
    for (const file of files(join(ROOT, dir))) {
      const name = file.slice(file.lastIndexOf('/') + 1);
      if (NOT_SHIPPED(name)) continue;
      const target = join(DIST, relative(ROOT, file));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target);
      copied++;
    }
  }
  // The session bundle (dist/session/session.mjs + .sha256) that every runner runs.
  const bundled = spawnSync(process.execPath, [join(ROOT, 'scripts/build-session-bundle.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (bundled.status !== 0) {
    console.error('build: the session bundle failed');
    process.exit(bundled.status ?? 1);
  }
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  console.log(`build: dist/ compiled and ${copied} run-time files copied in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv.includes('--if-stale') && upToDate()) process.exit(0);
build();
