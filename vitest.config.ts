import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    globalSetup: ['test/setup/global-setup.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/results.json' }]],
  },
});
