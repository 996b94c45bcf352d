// What the bundled CLI and the `relaycheck` starter (src/start.cts) share, through registered
// symbols on globalThis. Without the starter (tests, `node dist/src/cli.js`) both are no-ops.
//
// The starter runs the bundle as a vm.Script, where Node 20 has no callback for an import()
// written in that code ("A dynamic import callback was not specified"); packages and plugin files
// loaded on demand (yargs, nodemailer, imapflow, --plugin modules) use the starter's import().

type Importer = (specifier: string) => Promise<unknown>;

const IMPORTER_KEY = Symbol.for('relaycheck.import');
const COMPLETED_KEY = Symbol.for('relaycheck.completed');

export function importModule<T>(specifier: string): Promise<T> {
  const lent = (globalThis as Record<symbol, Importer | undefined>)[IMPORTER_KEY];
  return (lent ? lent(specifier) : import(specifier)) as Promise<T>;
}

/**
 * The command ran to its end (whatever it found), as opposed to stopping at a usage or plan error:
 * only then does the starter keep the code it compiled as the command's code cache.
 */
export function markCompleted(): void {
  (globalThis as Record<symbol, unknown>)[COMPLETED_KEY] = true;
}
