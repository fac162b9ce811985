#!/usr/bin/env node
// The package's `ai-implement` command (package.json `bin`, compiled to dist/hosts/cli/bin.js).
import { runProcess } from './main.js';

runProcess();
