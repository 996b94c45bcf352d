// The local store: one SQLite file (better-sqlite3) for the send log (quota) and the run history
// (drift). Opening it checks the schema version, and every SQLite error becomes a StoreError that
// says what to do (a corrupt or locked store is a clear error, never overwritten); every module
// adds its tables through `migrations`.
import { existsSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export class StoreError extends Error {
  constructor(file: string, why: string) {
    super(`local store ${file}: ${why}`);
    this.name = 'StoreError';
  }
}

/** Schema changes, in order; each runs once (PRAGMA user_version counts them). Append only. */
const migrations: string[] = [
  `CREATE TABLE sends (
     id INTEGER PRIMARY KEY,
     account TEXT NOT NULL,       -- the sending account (submission username or connector sender)
     entry TEXT NOT NULL,         -- plan entry name
     endpoint TEXT NOT NULL,
     recipients INTEGER NOT NULL,
     token TEXT NOT NULL,
     sent_at TEXT NOT NULL,       -- ISO 8601 UTC
     accepted INTEGER NOT NULL    -- 1 when the server answered 250
   );
   CREATE INDEX sends_account_time ON sends (account, sent_at);`,
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     plan_key TEXT NOT NULL,      -- identifies "the same plan" across runs
     plan_file TEXT NOT NULL,
     started_at TEXT NOT NULL,
     duration_ms INTEGER NOT NULL,
     verdict TEXT NOT NULL,
     summary TEXT NOT NULL,       -- JSON
     report TEXT NOT NULL         -- the whole JSON report (secrets already redacted)
   );
   CREATE INDEX runs_plan_time ON runs (plan_key, started_at);`,
  // History and drift (src/store/history.ts): a run compares with the last complete run of the
  // same plan and selection; each result as a row so the history can be queried with sqlite3.
  `ALTER TABLE runs ADD COLUMN selection TEXT NOT NULL DEFAULT '{}';  -- --only/--skip/--connector (JSON)
   ALTER TABLE runs ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;     -- 1: interrupted or past the deadline
   ALTER TABLE runs ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;     -- how many changes since the previous run
   CREATE TABLE run_results (
     run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     check_id TEXT NOT NULL,
     connector TEXT,
     endpoint TEXT,
     status TEXT NOT NULL,
     message TEXT NOT NULL,
     cert_sha256 TEXT,
     tls_version TEXT
   );
   CREATE INDEX run_results_run ON run_results (run_id);
   CREATE INDEX run_results_check ON run_results (check_id, endpoint);`,
];

export const DEFAULT_STORE_NAME = 'relaycheck.sqlite';

export function defaultStorePath(outDir: string): string {
  return join(outDir === '-' ? 'reports' : outDir, DEFAULT_STORE_NAME);
}

/** The store a run of this plan uses: the plan's `store:`, else <out>/relaycheck.sqlite. */
export function storePathFor(plan: { store?: string }, outDir: string): string {
  return plan.store ?? defaultStorePath(outDir);
}

let addonPath: string | null | undefined;

/**
 * The native addon's path, handed to better-sqlite3 so that it skips the `bindings` package's
 * search (a few ms of file probing per run); null when it is not where npm puts it.
 */
export function nativeBinding(): string | null {
  if (addonPath === undefined) {
    try {
      const pkg = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
      const file = join(dirname(pkg), 'build', 'Release', 'better_sqlite3.node');
      addonPath = existsSync(file) ? file : null;
    } catch {
      addonPath = null;
    }
  }
  return addonPath;
}

/**
 * SQLite creates -wal, -shm and -journal beside the store with O_CREAT and follows a link planted
 * under those names (in a report folder others can write to, a root run would write where the
 * link points): such a link is refused, never followed.
 */
function refuseLinkedSiblings(file: string): void {
  for (const sibling of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (lstatSync(sibling, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new StoreError(file, `${sibling} is a symbolic link; relaycheck does not write through it — remove it`);
    }
  }
}

export function openStore(file: string): Db {
  let db: Db;
  try {
    mkdirSync(dirname(file), { recursive: true });
    refuseLinkedSiblings(file);
    // The addon (native code) loads here, on first use: runs that never open the store skip it.
    const addon = nativeBinding();
    db = new Database(file, { timeout: 5000, ...(addon ? { nativeBinding: addon } : {}) });
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(file, `cannot open: ${(err as Error).message}`);
  }
  try {
    // No PRAGMA quick_check here: it reads every page, 44 ms for a store holding 60 runs of a
    // 200-endpoint plan and more every night. SQLite reports a damaged page when a statement
    // touches it (SQLITE_CORRUPT), and storeError() words that for the admin.
    db.pragma('journal_mode = WAL');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > migrations.length) throw new StoreError(file, `was written by a newer relaycheck (schema ${version}); upgrade relaycheck`);
    // Read the version again inside the write lock: another run may have migrated the store
    // between the read above and this transaction (two plans sharing one store, started together).
    const migrate = db.transaction(() => {
      const current = db!.pragma('user_version', { simple: true }) as number;
      for (let v = current; v < migrations.length; v++) db!.exec(migrations[v]);
      db!.pragma(`user_version = ${migrations.length}`);
    });
    if (version < migrations.length) migrate.immediate();
    return db;
  } catch (err) {
    db.close();
    throw storeError(file, err);
  }
}

/** Any error from using the store, as the StoreError an admin can act on. */
export function storeError(file: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { code?: string; message?: string };
  switch (e?.code) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new StoreError(file, 'is locked by another relaycheck run; try again when it has finished');
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new StoreError(file, 'is not a relaycheck store or is damaged; move it aside to start a new one — relaycheck will not overwrite it');
    case 'SQLITE_READONLY':
      return new StoreError(file, 'is read-only; relaycheck needs to write to it');
    default:
      return new StoreError(file, e?.message ?? String(err));
  }
}
