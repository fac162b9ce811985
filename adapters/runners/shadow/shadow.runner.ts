import { okAsync } from 'neverthrow';
import type { Phase } from '../../../core/domain/model.js';
import type { Runner } from '../../../ports/runner.port.js';

/**
 * One thing the shadow runner would have done. Every entry says `dryRun: true` and
 * `effect: 'none'`, and its message starts with `[shadow] nothing ran`, so a log line can never
 * be mistaken for a real dispatch. Environment values never appear: only their keys.
 */
export type ShadowEntry =
  | {
      runner: 'shadow';
      dryRun: true;
      effect: 'none';
      action: 'launch';
      handle: string;
      jobId: string;
      issue: string;
      phase: Phase;
      owner: string;
      repo: string;
      /** The runner the mapping would have used outside shadow mode. */
      wouldUse: string;
      machineCpus: number;
      machineMemoryMb: number;
      envKeys: string[];
      message: string;
    }
  | { runner: 'shadow'; dryRun: true; effect: 'none'; action: 'destroy'; sessionId: string; message: string };

export interface ShadowRunnerOptions {
  /** Where entries go (a logger, the dispatch log, a test array); nothing is recorded without it. */
  record?: (entry: ShadowEntry) => void;
}

/**
 * The dry-run runner (`RUNNER_MODE=shadow`): accepts every launch without starting anything, so
 * the whole dispatch path can be exercised against real tickets without side effects. The
 * dispatch leaves the ticket alone and settles the job as `completed` with a dry-run note at once
 * (`dryRun`, dispatch.service.ts), so shadow jobs never hold a slot. It tracks no sessions,
 * because none exist.
 */
export function createShadowRunner(options: ShadowRunnerOptions = {}): Runner {
  const record = options.record ?? (() => {});
  return {
    kind: 'shadow',
    dryRun: true,

    launch({ job, mapping, env }) {
      const handle = `shadow-${job.id}`;
      record({
        runner: 'shadow',
        dryRun: true,
        effect: 'none',
        action: 'launch',
        handle,
        jobId: job.id,
        issue: job.identifier,
        phase: job.phase,
        owner: job.owner,
        repo: job.repo,
        wouldUse: mapping.executionMode,
        machineCpus: mapping.machineCpus,
        machineMemoryMb: mapping.machineMemoryMb,
        envKeys: Object.keys(env).sort(),
        message: `[shadow] nothing ran: would launch ${job.phase} for ${job.identifier} on ${job.owner}/${job.repo} via ${mapping.executionMode}`,
      });
      return okAsync({ handle });
    },

    listSessions() {
      return okAsync([]);
    },

    // Nothing ran, so there is nothing to follow (the dispatch has settled the job already).
    observe() {
      return okAsync({ state: 'untracked' as const });
    },

    destroy(sessionId) {
      record({
        runner: 'shadow',
        dryRun: true,
        effect: 'none',
        action: 'destroy',
        sessionId,
        message: `[shadow] nothing ran: would destroy session ${sessionId}`,
      });
      return okAsync(undefined);
    },
  };
}
