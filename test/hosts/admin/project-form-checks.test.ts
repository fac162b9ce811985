import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAPPING_MESSAGES, validateMappingInput } from '../../../core/domain/mappings.js';
// @ts-expect-error: a browser module in JS (type-checked by hosts/admin/tsconfig.json), without declarations here
import * as checks from '../../../hosts/admin/assets/panels/project-form-checks.js';

type Values = Record<string, string | boolean>;
type Problem = { field: string; message: string };
const { checkStep, fieldOfMessage, FIELD_STEP, MESSAGES, requestBody, STEPS } = checks as {
  checkStep: (step: number, v: Values) => Problem[];
  fieldOfMessage: (message: string, v: Values) => string | undefined;
  FIELD_STEP: Record<string, number>;
  MESSAGES: Record<string, string>;
  /** The body the stepper sends for these values (project-form.js sends `requestBody(values())`). */
  requestBody: (v: Values) => { body: Record<string, unknown> } | { error: string };
  STEPS: string[];
};

const allProblems = (v: Values) => STEPS.flatMap((_, step) => checkStep(step, v));

const text = (...options: string[]) => fc.constantFrom(...options);
const values: fc.Arbitrary<Values> = fc.record({
  ticketing: text('linear', 'jira', 'github', 'local'),
  teamKey: text('', 'ENG', 'eng2', '9X', 'A_B', 'A'.repeat(33)),
  jql: text('', 'project = ENG'),
  repoFieldValue: text('', 'web'),
  issuesRepo: text('', 'issues', 'bad/name', '..'),
  forge: text('github', 'local'),
  owner: text('', 'acme', '-acme', 'ac me'),
  repo: text('', 'web.app', '..', 'a/b'),
  defaultBranch: text('', 'main', 'release/', 'a..b', 'x.lock', 'has space'),
  branchPrefix: text('', 'ai/', '/ai', 'ai..x', 'a~b'),
  executionMode: text('github-actions', 'fly-machines'),
  sessionMode: text('autonomous', 'hybrid'),
  machineCpus: text('', '2', '0', '1.5'),
  machineMemoryMb: text('', '4096', '255', '256'),
  workflowFile: text('', 'claude-implement.yml', 'x.txt'),
  planningEnabled: fc.boolean(),
  planningWorkflowFile: text('', 'plan.yaml', 'plan'),
  autoApprovePlans: fc.boolean(),
  extraEnv: text('', 'A=1', 'A=1\nB_2=x', '1A=2', 'PATH=/x', 'GIT_DIR=x', '__proto__=x', 'A=1\nconstructor=y', 'novalue'),
  provider: text('anthropic', 'bedrock'),
  awsRegion: text('', 'us-east-1'),
  maxInProgressAiIssues: text('', '3', '0'),
  maxTurns: text('', '50', '0', '2.5'),
  maxIterations: text('', '2'),
  maxJobMinutes: text('', '90', '-1'),
  // The stepper leaves budgets to the API (its 400 names the field); the body must carry valid ones as it should.
  maxCostUsd: text('', '25', '2.5'),
  maxTokens: text('', '100000'),
  dailyBudgetUsd: text('', '10', '0.75'),
  paused: fc.boolean(),
});

describe('the Projects stepper’s checks (hosts/admin/assets/panels/project-form-checks.js)', () => {
  it('use the spec’s messages word for word', () => {
    for (const [key, message] of Object.entries(MESSAGES)) {
      expect(message, key).toBe(MAPPING_MESSAGES[key as keyof typeof MAPPING_MESSAGES]);
    }
  });

  it('pass exactly the forms the API accepts, and name the API’s own first problem among theirs', () => {
    fc.assert(
      fc.property(values, (v) => {
        const problems = allProblems(v);
        const built = requestBody(v);
        if ('error' in built) {
          // The form cannot be sent; the stepper says why on the Runner step.
          expect(problems.map((p) => p.message)).toContain(built.error);
          return;
        }
        const server = validateMappingInput(built.body, undefined, 0);
        if (server.isOk()) expect(problems).toEqual([]);
        else expect(problems.map((p) => p.message)).toContain(server.error);
      }),
      { numRuns: 600 },
    );
  });

  it('put every problem on the step that owns its field, before the Review step', () => {
    fc.assert(
      fc.property(values, (v) => {
        for (const [step] of STEPS.entries()) {
          for (const p of checkStep(step, v)) expect(FIELD_STEP[p.field], p.field).toBe(step);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuse an empty default branch, and an empty team key, with the spec’s message', () => {
    const v = fc.sample(values, 1)[0] as Values;
    expect(checkStep(2, { ...v, owner: 'acme', repo: 'web', defaultBranch: '', branchPrefix: '' })).toEqual([
      { field: 'defaultBranch', message: MAPPING_MESSAGES.defaultBranchRequired },
    ]);
    expect(checkStep(1, { ...v, ticketing: 'linear', teamKey: '' })).toEqual([
      { field: 'teamKey', message: MAPPING_MESSAGES.required },
    ]);
  });

  it('refuse an extraEnv name JavaScript objects reserve with the API’s message, not a silently dropped line', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const server = validateMappingInput(
        JSON.parse(`{"teamKey":"ENG","owner":"a","repo":"r","defaultBranch":"main","extraEnv":{"${name}":"x"}}`),
        undefined,
        0,
      );
      expect(checks.parseExtraEnv(`A=1\n${name}=x`)).toEqual({ message: server._unsafeUnwrapErr() });
    }
  });

  it('find the field a server message is about', () => {
    const v: Values = { teamKey: 'ENG', owner: '', repo: '' };
    expect(fieldOfMessage(MAPPING_MESSAGES.required, v)).toBe('owner');
    expect(fieldOfMessage(MAPPING_MESSAGES.defaultBranchRequired, v)).toBe('defaultBranch');
    expect(fieldOfMessage(MAPPING_MESSAGES.bedrockOnFly, v)).toBe('provider');
    expect(fieldOfMessage('maxTurns must be a positive integer', v)).toBe('maxTurns');
    expect(fieldOfMessage('Unknown field: colour', v)).toBeUndefined();
    expect(fieldOfMessage('Invalid request body', v)).toBeUndefined();
  });
});
