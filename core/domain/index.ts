/**
 * The public API of the pure domain core: everything here is a function of its arguments.
 * Time, ids and secret values arrive as arguments; nothing reads a clock or does I/O.
 */

export * from './blockers.js';
export * from './caps.js';
export * from './comments.js';
export * from './dedup.js';
export * from './job-status.js';
export * from './lifecycle.js';
export * from './mappings.js';
export type * from './model.js';
export * from './planner.js';
export * from './reaper.js';
export * from './runner-mode.js';
export * from './secrets.js';
export * from './templates.js';
