import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The build generates src/plan/plan-validator.js into dist/; tests of the sources compile the schema.
    alias: [{ find: /^\.\/plan-validator\.js$/, replacement: fileURLToPath(new URL('./test/helpers/plan-validator.ts', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real peers (Postfix, Dovecot, nsd) bind fixed loopback addresses: files run in parallel,
    // but each integration file owns its own 127.0.x.0/24 range.
    pool: 'forks',
    // Tests stay on loopback: non-loopback connections, datagrams and name lookups fail at once.
    setupFiles: ['test/setup/loopback-only.mjs', 'test/setup/state-dir.mjs'],
  },
});
