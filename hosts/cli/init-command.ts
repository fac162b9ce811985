import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import type { CliIo } from './cli-io.js';

/** A readable access code: 20 characters of base64url (120 bits), no padding. */
export function generateAccessCode(): string {
  return randomBytes(15).toString('base64url');
}

/** The runner token secret: 32 random bytes, hex. */
export function generateTokenSecret(): string {
  return randomBytes(32).toString('hex');
}

/** The `.env` that `init` writes: every line commented, the two secrets generated. */
export function envFileText(accessCode: string, tokenSecret: string): string {
  return `# AI-Implement settings, read by \`ai-implement serve\` (and \`npm start\`) from its working directory.
# Variables set in the environment win over this file. Keep it private: it holds secrets.
# Every variable is described in the README ("Configuration").

# Enables /admin and /api/*; you sign in to the admin with it.
ADMIN_ACCESS_CODE=${accessCode}

# Signs the tokens a run uses to call back (/runner/*). Changing it makes stored secrets unreadable.
RUNNER_TOKEN_SECRET=${tokenSecret}

# Where runs go: default (each mapping's choice), gha, fly, local or shadow (dry run).
# RUNNER_MODE=local

# Where the server listens, and the URL runners call back on (not loopback for GitHub Actions or Fly).
# PORT=3000
# HOST=127.0.0.1
# PUBLIC_URL=https://ai-implement.example.com

# Storage: a SQLite file in DATA_DIR unless STORAGE_URL names another store (postgres://…, redis://…).
# DATA_DIR=./.data
# STORAGE_URL=

# Trackers and forges (or set them in the admin's Secrets panel).
# LINEAR_API_KEY=
# JIRA_HOST=
# JIRA_EMAIL=
# JIRA_API_TOKEN=
# GITHUB_TOKEN=
# GITHUB_WEBHOOK_SECRET=
# FLY_API_TOKEN=

# Local sessions: the agent CLI to run (a JSON array or words; default: claude -p …).
# AI_IMPLEMENT_AGENT_COMMAND=
`;
}

/**
 * `ai-implement init [--force]`: writes `.env` with a generated access code and token secret,
 * and says what to do next. An existing file is kept unless `--force`. The generated values
 * are written to the file only, never printed.
 */
export function initCommand(file: string, options: { force: boolean }, io: CliIo): number {
  if (existsSync(file) && !options.force) {
    io.err(`${file} already exists; it was left as it is (ai-implement init --force replaces it)`);
    return 1;
  }
  writeFileSync(file, envFileText(generateAccessCode(), generateTokenSecret()), { mode: 0o600 });
  io.out(`Wrote ${file} with a new ADMIN_ACCESS_CODE and RUNNER_TOKEN_SECRET (the file only; keep it private).`);
  io.out('Next:');
  io.out('  1. ai-implement doctor   checks what the chosen runner needs (npm run cli -- doctor in a checkout)');
  io.out('  2. ai-implement serve    starts the orchestrator (npm start in a checkout)');
  io.out('  3. open the admin URL it prints and sign in with the ADMIN_ACCESS_CODE from the file');
  return 0;
}
