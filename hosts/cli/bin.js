#!/usr/bin/env node
// The package's `ai-implement` command: runs the TypeScript entry through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2), process.env);
if (code !== 'running') process.exitCode = code;
