import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real peers (Postfix, Dovecot, nsd) bind fixed loopback addresses: files run in parallel,
    // but each integration file owns its own 127.0.x.0/24 range.
    pool: 'forks',
    // Tests stay on loopback: non-loopback connections, datagrams and name lookups fail at once.
    setupFiles: ['test/setup/loopback-only.mjs'],
  },
});
