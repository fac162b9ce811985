#!/usr/bin/env node
// For test/adapters/model-key-proxy.test.ts, inside the sandbox: collects what a hostile
// command could read (its environment, every /proc/*/environ and cmdline, the proxies'
// directories, /tmp), then asks the model API at $ANTHROPIC_BASE_URL with its key or token, and prints
// it all as one JSON line.
'use strict';
const fs = require('node:fs');

const out = { env: process.env, files: {} };
const grab = (path) => {
  try {
    out.files[path] = fs.readFileSync(path, 'latin1');
  } catch {}
};
for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
  grab(`/proc/${pid}/environ`);
  grab(`/proc/${pid}/cmdline`);
}
for (const dir of ['/run/ai-implement-model', '/run/ai-implement-egress', '/tmp']) {
  try {
    for (const name of fs.readdirSync(dir)) grab(`${dir}/${name}`);
  } catch {}
}
const base = process.env.ANTHROPIC_BASE_URL;
if (!base) {
  console.log(JSON.stringify({ ...out, answer: 'no base' }));
} else {
  // As Claude Code sends them: the key as x-api-key, a token as a Bearer authorization.
  const token = process.env.ANTHROPIC_AUTH_TOKEN ?? process.env.CLAUDE_CODE_OAUTH_TOKEN;
  const headers = {
    ...(process.env.ANTHROPIC_API_KEY ? { 'x-api-key': process.env.ANTHROPIC_API_KEY } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  fetch(`${base}/v1/messages`, { method: 'POST', headers, body: '{}' })
    .then(async (r) => console.log(JSON.stringify({ ...out, status: r.status, answer: await r.text() })))
    .catch((e) => console.log(JSON.stringify({ ...out, answer: `failed: ${e.message}` })));
}
