import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/tests/**/*.test.ts', 'supabase/tests/**/*.test.ts', 'scripts/**/*.test.ts', 'functions/tests/**/*.test.ts'],
    globalSetup: ['supabase/tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
