#!/usr/bin/env node
// For test/adapters/model-key-proxy.test.ts, inside the sandbox: collects what a hostile
// command could read (its environment, every /proc/*/environ and cmdline, the proxies'
// directories, /tmp), then asks the model API at $ANTHROPIC_BASE_URL with its key or token (or
// Bedrock at $ANTHROPIC_BEDROCK_BASE_URL), and prints
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
// Bedrock (ANTHROPIC_BEDROCK_BASE_URL) as the Anthropic Bedrock SDK calls it with
// CLAUDE_CODE_SKIP_BEDROCK_AUTH: no signature, the model id URI-encoded in the path.
const bedrock = process.env.ANTHROPIC_BEDROCK_BASE_URL;
const base = process.env.ANTHROPIC_BASE_URL;
const ask = (url, headers) =>
  fetch(url, { method: 'POST', headers, body: '{"anthropic_version":"bedrock-2023-05-31","messages":[]}' }).then(
    async (r) => ({ status: r.status, answer: await r.text() }),
    (e) => ({ answer: `failed: ${e.message}` }),
  );
if (bedrock) {
  const model = encodeURIComponent('anthropic.claude-sonnet-4-5-20250929-v1:0');
  ask(`${bedrock}/model/${model}/invoke-with-response-stream`, { 'content-type': 'application/json' }).then((r) =>
    console.log(JSON.stringify({ ...out, ...r })),
  );
} else if (!base) {
  console.log(JSON.stringify({ ...out, answer: 'no base' }));
} else {
  // As Claude Code sends them: the key as x-api-key, a token as a Bearer authorization.
  const token = process.env.ANTHROPIC_AUTH_TOKEN ?? process.env.CLAUDE_CODE_OAUTH_TOKEN;
  const headers = {
    ...(process.env.ANTHROPIC_API_KEY ? { 'x-api-key': process.env.ANTHROPIC_API_KEY } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  ask(`${base}/v1/messages`, headers).then((r) => console.log(JSON.stringify({ ...out, ...r })));
}
