import { describe, expect, it } from 'vitest';
import { describeConnections, loadConfig, redactUrl } from '../../hosts/config.js';

describe('loadConfig', () => {
  it('applies every default on an empty environment', () => {
    expect(loadConfig({})._unsafeUnwrap()).toEqual({
      port: 4000,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:4000',
      dataDir: './.data',
      customDir: `${process.cwd()}/custom`,
      linearApiUrl: 'https://api.linear.app/graphql',
      githubApiUrl: 'https://api.github.com',
      flyApiUrl: 'https://api.machines.dev',
      pollIntervalMs: 30000,
      logLevel: 'info',
    });
  });

  it('reads every variable of the configuration contract', () => {
    const env = {
      ADMIN_ACCESS_CODE: 'a-long-admin-code',
      RUNNER_TOKEN_SECRET: 'b',
      GITHUB_WEBHOOK_SECRET: 'c',
      GAP_FILL_TRIGGER_SECRET: 'd',
      RUNNER_MODE: 'shadow',
      FLY_SESSIONS_APP: 'sessions',
      FLY_SESSIONS_REGION: 'ams',
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://ai.example.com/',
      DATA_DIR: '/var/lib/ai',
      STORAGE_URL: 'redis://127.0.0.1:6379',
      LINEAR_API_KEY: 'lin',
      LINEAR_API_URL: 'http://127.0.0.1:9999/graphql',
      LINEAR_WEBHOOK_SECRET: 'lws',
      JIRA_HOST: 'https://acme.atlassian.net',
      JIRA_EMAIL: 'bot@acme.test',
      JIRA_API_TOKEN: 'jt',
      GITHUB_TOKEN: 'ght',
      GITHUB_APP_ID: '123',
      GITHUB_APP_PRIVATE_KEY: '-----BEGIN KEY-----',
      GITHUB_API_URL: 'https://ghe.acme.test/api/v3',
      FLY_API_TOKEN: 'fly',
      FLY_API_URL: 'http://127.0.0.1:4280',
      POLL_INTERVAL_MS: '1000',
      CUSTOM_DIR: '/etc/ai-implement/custom',
      STORAGE_WAIT: '1',
      LOG_LEVEL: 'debug',
    };
    expect(loadConfig(env)._unsafeUnwrap()).toEqual({
      adminAccessCode: 'a-long-admin-code',
      runnerTokenSecret: 'b',
      githubWebhookSecret: 'c',
      gapFillTriggerSecret: 'd',
      runnerMode: 'shadow',
      flySessionsApp: 'sessions',
      flySessionsRegion: 'ams',
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://ai.example.com',
      dataDir: '/var/lib/ai',
      storageUrl: 'redis://127.0.0.1:6379',
      customDir: '/etc/ai-implement/custom',
      linearApiKey: 'lin',
      linearApiUrl: 'http://127.0.0.1:9999/graphql',
      linearWebhookSecret: 'lws',
      jiraHost: 'https://acme.atlassian.net',
      jiraEmail: 'bot@acme.test',
      jiraApiToken: 'jt',
      githubToken: 'ght',
      githubAppId: '123',
      githubAppPrivateKey: '-----BEGIN KEY-----',
      githubApiUrl: 'https://ghe.acme.test/api/v3',
      flyApiToken: 'fly',
      flyApiUrl: 'http://127.0.0.1:4280',
      pollIntervalMs: 1000,
      storageWait: true,
      logLevel: 'debug',
    });
  });

  it('resolves CUSTOM_DIR against the working directory, and refuses a path no directory can have', () => {
    expect(loadConfig({ CUSTOM_DIR: 'ops/custom' }, '/srv/ai')._unsafeUnwrap().customDir).toBe('/srv/ai/ops/custom');
    expect(loadConfig({}, '/srv/ai')._unsafeUnwrap().customDir).toBe('/srv/ai/custom');
    expect(loadConfig({ CUSTOM_DIR: 'a\0b' })._unsafeUnwrapErr()).toBe(
      'Invalid configuration: CUSTOM_DIR must be a directory path',
    );
  });

  it('reads process.env when called without an environment (an embedder in plain JavaScript)', () => {
    const before = process.env.POLL_INTERVAL_MS;
    process.env.POLL_INTERVAL_MS = '4321';
    try {
      expect(loadConfig()._unsafeUnwrap().pollIntervalMs).toBe(4321);
    } finally {
      if (before === undefined) delete process.env.POLL_INTERVAL_MS;
      else process.env.POLL_INTERVAL_MS = before;
    }
  });

  it('treats empty and blank variables as unset', () => {
    const config = loadConfig({ ADMIN_ACCESS_CODE: '', RUNNER_MODE: '  ', PORT: '', LINEAR_API_URL: '' })._unsafeUnwrap();
    expect(config.adminAccessCode).toBeUndefined();
    expect(config.runnerMode).toBeUndefined();
    expect(config.port).toBe(4000);
    expect(config.linearApiUrl).toBe('https://api.linear.app/graphql');
  });

  it('accepts an ADMIN_ACCESS_CODE of 12 characters', () => {
    expect(loadConfig({ ADMIN_ACCESS_CODE: '123456789012' })._unsafeUnwrap().adminAccessCode).toBe('123456789012');
  });

  it('derives PUBLIC_URL from HOST and PORT', () => {
    expect(loadConfig({ HOST: 'localhost', PORT: '5000' })._unsafeUnwrap().publicUrl).toBe('http://localhost:5000');
    expect(loadConfig({ HOST: '::1', PORT: '5000' })._unsafeUnwrap().publicUrl).toBe('http://[::1]:5000');
  });

  it.each<[Record<string, string>, string]>([
    [{ RUNNER_MODE: 'turbo' }, 'RUNNER_MODE must be one of: default, gha, fly, local, shadow'],
    [{ PORT: 'eighty' }, 'PORT must be an integer from 0 to 65535'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535'],
    [{ PORT: '-1' }, 'PORT must be an integer from 0 to 65535'],
    [{ POLL_INTERVAL_MS: '999' }, 'POLL_INTERVAL_MS must be an integer from 1000 to 86400000'],
    [{ POLL_INTERVAL_MS: '1500.5' }, 'POLL_INTERVAL_MS must be an integer from 1000 to 86400000'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL must be an http(s) URL'],
    [{ LINEAR_API_URL: 'not a url' }, 'LINEAR_API_URL must be an http(s) URL'],
    [{ GITHUB_API_URL: 'api.github.com' }, 'GITHUB_API_URL must be an http(s) URL'],
    [{ FLY_API_URL: 'javascript:alert(1)' }, 'FLY_API_URL must be an http(s) URL'],
    [{ JIRA_HOST: 'https://acme.atlassian.net' }, 'JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN must be set together'],
    [{ GITHUB_APP_ID: '12' }, 'GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY must be set together'],
    [{ GITHUB_APP_ID: 'abc', GITHUB_APP_PRIVATE_KEY: 'k' }, 'GITHUB_APP_ID must be a number'],
    [{ ADMIN_ACCESS_CODE: 'letmein' }, 'ADMIN_ACCESS_CODE must be at least 12 characters long'],
    [{ ADMIN_ACCESS_CODE: '12345678901' }, 'ADMIN_ACCESS_CODE must be at least 12 characters long'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(loadConfig(env)._unsafeUnwrapErr()).toBe(`Invalid configuration: ${message}`);
  });

  it('lists every problem at once', () => {
    expect(loadConfig({ PORT: 'x', RUNNER_MODE: 'y' })._unsafeUnwrapErr()).toBe(
      'Invalid configuration: RUNNER_MODE must be one of: default, gha, fly, local, shadow; PORT must be an integer from 0 to 65535',
    );
  });

  it('never echoes a value in its message', () => {
    const secretish = 'hunter2-SECRET-value';
    for (const name of [
      'RUNNER_MODE',
      'PORT',
      'POLL_INTERVAL_MS',
      'PUBLIC_URL',
      'LINEAR_API_URL',
      'GITHUB_APP_ID',
      'JIRA_HOST',
      'FLY_API_URL',
      'GITHUB_API_URL',
    ]) {
      const message = loadConfig({ [name]: secretish })._unsafeUnwrapErr();
      expect(message).toContain(name);
      expect(message).not.toContain(secretish);
    }
  });
});

describe('describeConnections', () => {
  it('says what is configured without any secret value', () => {
    const config = loadConfig({
      ADMIN_ACCESS_CODE: 'code-123456789',
      GITHUB_TOKEN: 'ghp_abcdef',
      LINEAR_API_KEY: 'lin_api_xyz',
      STORAGE_URL: 'redis://:p4ssw0rd@127.0.0.1:6379/0',
    })._unsafeUnwrap();
    const lines = describeConnections(config);
    const text = JSON.stringify(lines);
    for (const secret of ['code-123456789', 'ghp_abcdef', 'lin_api_xyz', 'p4ssw0rd']) expect(text).not.toContain(secret);
    expect(lines.find((l) => l.name === 'GitHub')?.configured).toBe(true);
    expect(lines.find((l) => l.name === 'Jira')?.configured).toBe(false);
    expect(lines.find((l) => l.name === 'Admin UI and API')?.configured).toBe(true);
  });

  it('redacts credentials inside a URL', () => {
    expect(redactUrl('redis://user:pw@host:6379/1?password=x')).toBe('redis://***:***@host:6379/1');
  });
});
