import { sessionCommand } from './session-command.js';

/**
 * The session bundle's entry (`dist/session/session.mjs`, hosts/session-bundle): `ai-implement
 * session` alone, without the rest of the CLI, so plain `node` runs it with no node_modules.
 */
process.exitCode = await sessionCommand(process.env);
