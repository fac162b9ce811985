#!/usr/bin/env node
// `npm run build:session`: writes dist/session/session.mjs (+ .sha256), the session runtime as
// one file that plain node runs (hosts/session-bundle/build-session-bundle.ts says how).
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { writeSessionBundle } = await import('../hosts/session-bundle/build-session-bundle.ts');
const started = Date.now();
const built = writeSessionBundle(fileURLToPath(new URL('..', import.meta.url)));
console.log(
  `session bundle: ${built.path} (${(built.bytes.length / 1024).toFixed(0)} KiB, sha256 ${built.sha256}, ${Date.now() - started} ms)`,
);
