import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './world.js';

/**
 * admin-ui-and-api.txt, "Create a new project mapping", Capacity step: maxTurns (50),
 * maxIterations (Bedrock 2, Anthropic 3) and maxJobMinutes (90) when left blank. A blank field
 * stays blank on the mapping; the default is what the run gets, seen here in the environment of
 * the run's Fly machine (RUNNER_MODE=fly sends every mapping's runs to Fly, so a Bedrock mapping,
 * which cannot use executionMode fly-machines, still launches a machine).
 */

let w: World;
beforeAll(async () => {
  w = await startWorld({ RUNNER_MODE: 'fly' });
}, 60_000);
afterAll(() => w.close());

const caps = (env: Record<string, string>) => ({
  maxTurns: env.AI_IMPLEMENT_MAX_TURNS,
  maxIterations: env.AI_IMPLEMENT_MAX_ITERATIONS,
  maxJobMinutes: env.AI_IMPLEMENT_MAX_JOB_MINUTES,
});

describe('run-cap defaults when the fields are left blank', () => {
  it('Anthropic: maxTurns 50, maxIterations 3, maxJobMinutes 90', async () => {
    await w.mapping({ provider: 'anthropic' }, 'ANT');
    const { env } = await w.dispatch('Anthropic defaults', 'ANT');
    expect(caps(env)).toEqual({ maxTurns: '50', maxIterations: '3', maxJobMinutes: '90' });
  });

  it('Bedrock: maxTurns 50, maxIterations 2, maxJobMinutes 90', async () => {
    await w.mapping({ provider: 'bedrock', awsRegion: 'us-east-1', executionMode: 'github-actions' }, 'BED');
    const { env } = await w.dispatch('Bedrock defaults', 'BED');
    expect(caps(env)).toEqual({ maxTurns: '50', maxIterations: '2', maxJobMinutes: '90' });
  });

  it('blank given as "" or null is blank too', async () => {
    await w.mapping({ maxTurns: '', maxIterations: null, maxJobMinutes: '' }, 'BLANK');
    const { env } = await w.dispatch('Blank caps', 'BLANK');
    expect(caps(env)).toEqual({ maxTurns: '50', maxIterations: '3', maxJobMinutes: '90' });
  });

  it('set values reach the run as set', async () => {
    await w.mapping({ maxTurns: 20, maxIterations: 1, maxJobMinutes: 30 }, 'SET');
    const { env } = await w.dispatch('Set caps', 'SET');
    expect(caps(env)).toEqual({ maxTurns: '20', maxIterations: '1', maxJobMinutes: '30' });
  });

  it.each([
    ['maxTurns', 0],
    ['maxIterations', -1],
    ['maxJobMinutes', 2.5],
    ['maxTurns', 'fifty'],
  ])('a %s that is not a positive integer (%j) is refused with a 400 naming the field', async (field, value) => {
    const res = await w.s.call('POST', '/api/mappings', {
      token: true,
      body: { teamKey: 'BAD', owner: 'acme', repo: 'widgets', defaultBranch: 'main', [field]: value },
    });
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toContain(field);
  });
});
