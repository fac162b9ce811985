import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/** The package's own `ai-implement/*` specifiers resolve to its sources, not dist/ (package.json `exports`). */
const conditions = ['ai-implement-source', ...defaultServerConditions];

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
