import { asValue } from 'awilix';
import { okAsync } from 'neverthrow';
import { createShadowRunner } from '../../adapters/runners/shadow/shadow.runner.js';
import { createRunnerRegistry } from '../../core/app/dispatch/runner-registry.js';
import type { RunLaunch, Runner } from '../../ports/runner.port.js';

/**
 * A shadow-kind runner that holds its jobs in flight — the real shadow runner is a dry run whose
 * jobs settle as completed at once — for tests of in-flight work (callbacks, caps, aborts). It
 * also keeps what it was launched with (the real one keeps env keys only) and which sessions it
 * was asked to destroy. Use it as the `runnerRegistry` override.
 */
export function capturingShadowRunner() {
  const launches: RunLaunch[] = [];
  const destroyed: string[] = [];
  const shadow = createShadowRunner();
  const runner: Runner = {
    kind: 'shadow',
    launch(run) {
      launches.push(run);
      return shadow.launch(run);
    },
    listSessions: () => okAsync([]),
    observe: (job, context) => shadow.observe(job, context),
    destroy(id) {
      destroyed.push(id);
      return shadow.destroy(id);
    },
  };
  return { launches, destroyed, runnerRegistry: asValue(createRunnerRegistry({ shadow: runner })) };
}

/** Overrides for a harness whose shadow-mode jobs stay in flight until the test ends them. */
export function heldShadowRunner() {
  return { runnerRegistry: capturingShadowRunner().runnerRegistry };
}
