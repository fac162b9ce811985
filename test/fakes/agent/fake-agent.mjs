#!/usr/bin/env node
// A stand-in for `claude -p <prompt> --model <m> --max-turns <n> --output-format stream-json`.
// It speaks Claude Code's stream-json (one JSON message a line) and edits the working tree
// the way a coding agent would. What it does is chosen by its environment, which is exactly
// what the session hands an agent (the mapping's extraEnv and secrets, plus PATH and HOME):
//   FAKE_AGENT_MODE  edit (default) | noop | loop | spend | hang | crash | break | always-break | reject
//                    (spend: keeps answering, each turn with FAKE_AGENT_TOKENS_PER_TURN input tokens and a
//                    fifth of that in output, and never finishes: a runaway agent for the budget tests)
//   FAKE_AGENT_USAGE off: no usage at all (an agent that reports nothing); otherwise every assistant
//                    message carries Claude Code's `message.usage` and the result `usage`,
//                    `total_cost_usd` (at Sonnet's price) and `num_turns`
//   FAKE_AGENT_TOKENS_PER_TURN input tokens per turn (default 1000)
//   FAKE_AGENT_TURNS assistant turns to emit per run (default 2)
//   FAKE_AGENT_FILE  the file an edit writes (default AGENT_CHANGE.md)
//   FAKE_AGENT_LOG   append one JSON line per invocation (argv, env names, cwd, kind)
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const flag = (name) => {
  const at = argv.indexOf(name);
  return at === -1 ? undefined : argv[at + 1];
};
const prompt = flag('-p') ?? '';
const mode = process.env.FAKE_AGENT_MODE ?? 'edit';
const turns = Number(process.env.FAKE_AGENT_TURNS ?? '2');
const file = process.env.FAKE_AGENT_FILE ?? 'AGENT_CHANGE.md';

const kind = prompt.includes('VERDICT:')
  ? 'review'
  : prompt.includes('Do not change any files') && prompt.includes('implementation plan')
    ? 'plan'
    : prompt.includes('## Verification failed')
      ? 'fix'
      : 'implement';

if (process.env.FAKE_AGENT_LOG) {
  appendFileSync(
    process.env.FAKE_AGENT_LOG,
    `${JSON.stringify({ kind, mode, cwd: process.cwd(), argv, env: Object.keys(process.env).sort(), envValues: process.env })}\n`,
  );
}

const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const withUsage = process.env.FAKE_AGENT_USAGE !== 'off';
const perTurn = Number(process.env.FAKE_AGENT_TOKENS_PER_TURN ?? '1000');
const model = flag('--model') ?? 'claude-sonnet-4-5-20250929';
const spent = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
let messages = 0;
const assistant = (text) => {
  const id = `msg_fake_${process.pid}_${++messages}`;
  const usage = {
    input_tokens: perTurn,
    output_tokens: Math.round(perTurn / 5),
    cache_read_input_tokens: perTurn * 2,
    cache_creation_input_tokens: Math.round(perTurn / 10),
  };
  for (const k of Object.keys(spent)) spent[k] += usage[k];
  const content = [{ type: 'text', text }];
  // Claude Code streams one message's content blocks as separate lines, each repeating its usage.
  for (let block = 0; block < 2; block++)
    say({ type: 'assistant', message: { id, model, role: 'assistant', content, ...(withUsage ? { usage } : {}) } });
};
/** Sonnet's list price, dollars per million tokens. */
const costOfSpent = () =>
  (spent.input_tokens * 3 +
    spent.output_tokens * 15 +
    spent.cache_read_input_tokens * 0.3 +
    spent.cache_creation_input_tokens * 3.75) /
  1_000_000;
const result = (text, n) =>
  say({
    type: 'result',
    subtype: 'success',
    is_error: false,
    num_turns: n,
    result: text,
    ...(withUsage ? { usage: spent, total_cost_usd: costOfSpent() } : {}),
  });

say({ type: 'system', subtype: 'init', model: flag('--model') ?? 'default', cwd: process.cwd() });

if (mode === 'crash' && kind !== 'review') {
  process.stderr.write('API Error: 529 overloaded_error\n');
  process.exit(1);
}
if (mode === 'hang') {
  setInterval(() => undefined, 60_000);
} else if (mode === 'spend' && kind !== 'review') {
  let n = 0;
  setInterval(() => assistant(`turn ${++n}: spending`), 20);
} else if (mode === 'loop' && kind !== 'review') {
  let n = 0;
  setInterval(() => assistant(`turn ${++n}: still working`), 5);
} else {
  for (let i = 1; i <= turns; i++) assistant(`turn ${i} of ${kind}`);
  if (kind === 'plan') {
    result('1. Add AGENT_CHANGE.md describing the change.\n2. Run the verify script.', turns);
  } else if (kind === 'review') {
    result(
      mode === 'reject' ? 'The change breaks the build.\nVERDICT: REQUEST_CHANGES' : 'Looks right.\nVERDICT: APPROVE',
      turns,
    );
  } else {
    if (mode !== 'noop') {
      const broken = mode === 'always-break' || (mode === 'break' && kind === 'implement');
      const firstLine = prompt.split('\n')[0] ?? '';
      writeFileSync(join(process.cwd(), file), `${broken ? 'BROKEN' : 'fixed'}\n${firstLine}\n`);
    }
    result(mode === 'noop' ? 'Nothing needed changing.' : `Wrote ${file}.`, turns);
  }
}
