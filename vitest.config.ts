import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Integration files each make their own cluster; two cores do not gain from running them at once.
    fileParallelism: false,
  },
});
