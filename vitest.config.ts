import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * The package's own `ai-implement/*` specifiers resolve to its sources, not dist/ (package.json
 * `exports`). Vite's `module` condition is left out: vitest hands these conditions to Node, and
 * the AWS SDK maps `module` to builds with extensionless imports that only a bundler can load
 * (Node itself, in production, never uses that condition).
 */
const conditions = ['ai-implement-source', ...defaultServerConditions.filter((c) => c !== 'module')];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['ai-implement-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    globalSetup: ['test/setup/global-setup.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/results.json' }]],
  },
});
