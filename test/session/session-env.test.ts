import { describe, expect, it } from 'vitest';
import { agentEnvironment, isRunnerVariable, PACKAGE_CUSTOM_DIR, readSessionEnv } from '../../hosts/session/session-env.js';

const RUN = {
  AI_IMPLEMENT_JOB_ID: 'job-1',
  AI_IMPLEMENT_PHASE: 'implementation',
  AI_IMPLEMENT_ISSUE: 'ENG-7',
  AI_IMPLEMENT_CALLBACK_URL: 'http://127.0.0.1:4000/',
  AI_IMPLEMENT_RESULT_TOKEN: 'ait1.result.sig',
  AI_IMPLEMENT_PROGRESS_TOKEN: 'ait1.progress.sig',
  AI_IMPLEMENT_NONCE: 'nonce-123456',
  AI_IMPLEMENT_OWNER: 'acme',
  AI_IMPLEMENT_REPO: 'app',
};

describe('the session environment', () => {
  it('reads the run variables, with the spec defaults for missing caps', () => {
    const config = readSessionEnv({ ...RUN, PATH: '/bin', HOME: '/home/x' })._unsafeUnwrap();
    expect(config).toMatchObject({
      jobId: 'job-1',
      phase: 'implementation',
      issueIdentifier: 'ENG-7',
      callbackUrl: 'http://127.0.0.1:4000',
      forge: 'github',
      owner: 'acme',
      repo: 'app',
      defaultBranch: 'main',
      branch: 'ai-implement/ENG-7',
      githubApiUrl: 'https://api.github.com',
      githubServerUrl: 'https://github.com',
      caps: { maxTurns: 50, maxIterations: 3, maxJobMinutes: 90 },
      minuteMs: 60_000,
      pipeline: 'implementation',
      customDir: PACKAGE_CUSTOM_DIR,
    });
  });

  it('takes the caps, branch, forge and agent command the orchestrator sets', () => {
    const config = readSessionEnv({
      ...RUN,
      AI_IMPLEMENT_MAX_TURNS: '12',
      AI_IMPLEMENT_MAX_ITERATIONS: '2',
      AI_IMPLEMENT_MAX_JOB_MINUTES: '30',
      AI_IMPLEMENT_BRANCH: 'bot/ENG-7',
      AI_IMPLEMENT_DEFAULT_BRANCH: 'development',
      AI_IMPLEMENT_FORGE: 'local',
      AI_IMPLEMENT_REPO_URL: '/data/repos/acme/app.git',
      AI_IMPLEMENT_AGENT_COMMAND: '["aider", "--message", "{prompt}"]',
      AI_IMPLEMENT_PR_NUMBER: '4',
    })._unsafeUnwrap();
    expect(config).toMatchObject({
      caps: { maxTurns: 12, maxIterations: 2, maxJobMinutes: 30 },
      branch: 'bot/ENG-7',
      defaultBranch: 'development',
      forge: 'local',
      repoUrl: '/data/repos/acme/app.git',
      agentCommand: ['aider', '--message', '{prompt}'],
      prNumber: 4,
    });
  });

  it('falls back to what GitHub Actions provides', () => {
    const { AI_IMPLEMENT_OWNER: _o, AI_IMPLEMENT_REPO: _r, ...rest } = RUN;
    const config = readSessionEnv({
      ...rest,
      GITHUB_REPOSITORY: 'octo/widgets',
      GITHUB_REF_NAME: 'trunk',
      GITHUB_API_URL: 'https://ghe.example/api/v3',
    })._unsafeUnwrap();
    expect(config).toMatchObject({
      owner: 'octo',
      repo: 'widgets',
      defaultBranch: 'trunk',
      githubServerUrl: 'https://ghe.example',
    });
  });

  it('refuses what it cannot run with, naming the variable', () => {
    expect(readSessionEnv({}).isErr()).toBe(true);
    expect(readSessionEnv({ ...RUN, AI_IMPLEMENT_RESULT_TOKEN: '' })._unsafeUnwrapErr()).toContain(
      'AI_IMPLEMENT_RESULT_TOKEN is not set',
    );
    expect(readSessionEnv({ ...RUN, AI_IMPLEMENT_PHASE: 'deploy' })._unsafeUnwrapErr()).toContain('AI_IMPLEMENT_PHASE');
    expect(readSessionEnv({ ...RUN, AI_IMPLEMENT_FORGE: 'local' })._unsafeUnwrapErr()).toContain('AI_IMPLEMENT_REPO_URL');
    expect(readSessionEnv({ ...RUN, AI_IMPLEMENT_CALLBACK_URL: 'ftp://x' })._unsafeUnwrapErr()).toContain(
      'AI_IMPLEMENT_CALLBACK_URL',
    );
  });

  it("gives the agent the mapping's variables and PATH/HOME, never a session credential", () => {
    const env = agentEnvironment({
      ...RUN,
      PATH: '/bin',
      HOME: '/home/x',
      ANTHROPIC_API_KEY: 'sk-ant-1',
      DEPLOY_KEY: 'k',
      GITHUB_TOKEN: 'ghs_x',
      RUNNER_TOKEN_SECRET: 'never',
      AI_IMPLEMENT_AGENT_COMMAND: 'claude',
    });
    expect(env).toEqual({ PATH: '/bin', HOME: '/home/x', ANTHROPIC_API_KEY: 'sk-ant-1', DEPLOY_KEY: 'k' });
  });

  it('tells the runner’s own variables (not redacted) from the run’s (redacted as secrets)', () => {
    for (const name of ['GITHUB_REPOSITORY', 'GITHUB_REF_NAME', 'GITHUB_SERVER_URL', 'RUNNER_OS', 'CI', 'PATH', 'HOME', 'LC_ALL'])
      expect(isRunnerVariable(name), name).toBe(true);
    for (const name of [
      'GITHUB_TOKEN',
      'GITHUB_PAT',
      'RUNNER_TOKEN_SECRET',
      'ANTHROPIC_API_KEY',
      'DEPLOY_KEY',
      'ACTIONS_RUNTIME_TOKEN',
      'GITHUB',
      'XGITHUB_REPOSITORY',
    ])
      expect(isRunnerVariable(name), name).toBe(false);
  });
});
