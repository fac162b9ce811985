// @ts-check
/**
 * Which runner a mapping's next job goes to, as the orchestrator decides it (runnerForJob of
 * core/domain/runner-mode.ts): the runner-mode override in force, else the mapping's executionMode.
 */

/** @type {Record<string, string>} */
const MODE_RUNNER = { gha: 'github-actions', fly: 'fly-machines', local: 'local', shadow: 'shadow' };

/**
 * @param {string | null | undefined} mode the mode in force (`GET /api/runner-mode` → `effective`)
 * @param {{ executionMode?: string }} mapping
 */
export function runnerForMapping(mode, mapping) {
  const forced = mode ? MODE_RUNNER[mode] : undefined;
  if (forced) return forced;
  return mapping.executionMode === 'fly-machines' ? 'fly-machines' : 'github-actions';
}

/**
 * "1 repository", "3 repositories".
 * @param {number} n @param {string} one @param {string} many
 */
export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}
