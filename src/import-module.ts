// import() for packages and plugin files that are loaded on demand (yargs, nodemailer, imapflow,
// --plugin modules). The `relaycheck` starter (src/start.cts) runs the bundled CLI from a V8 code
// cache; Node 20 cannot service an import() written in code restored from such a cache ("A
// dynamic import callback was not specified"), so the starter lends its own import() here.

type Importer = (specifier: string) => Promise<unknown>;

/** Set by src/start.cts before the bundle runs (the same registered symbol there). */
const IMPORTER_KEY = Symbol.for('relaycheck.import');

export function importModule<T>(specifier: string): Promise<T> {
  const lent = (globalThis as Record<symbol, Importer | undefined>)[IMPORTER_KEY];
  return (lent ? lent(specifier) : import(specifier)) as Promise<T>;
}
