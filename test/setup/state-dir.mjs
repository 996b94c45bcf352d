// Each test file gets its own per-user state folder (the send log, src/state/location.ts), so no
// test reads or writes the quota of the user running the suite, and files do not share counts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.XDG_STATE_HOME = mkdtempSync(join(tmpdir(), 'relaycheck-state-'));
delete process.env.STATE_DIRECTORY;
