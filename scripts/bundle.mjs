// Build step: bundles the compiled CLI (dist/src/cli.js) into one CommonJS file,
// dist/bundle/cli.cjs, which the `relaycheck` starter (dist/src/start.cjs) runs from a V8 code
// cache. Node 20 loads an ES module graph file by file (resolve, stat, read, compile, link: about
// half a millisecond each here) and a run touches about 100 of our files plus yaml's 80; one file
// can also be compiled from a cache, which an ES module graph cannot be in Node 20.
//
// Bundled in: our code, the generated plan validator and the JavaScript on a run's path (yaml,
// cli-table3, better-sqlite3 without its native addon). Left as packages: what is loaded on demand
// (yargs also reads its locale files from its own folder; nodemailer, imapflow, dns-packet,
// smtp-server, hoodiecrow-imap, @peculiar/x509, ajv).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const BUNDLED = new Set(['yaml', 'cli-table3', 'better-sqlite3']);
// better-sqlite3's JavaScript is bundled, its native addon is not (src/store/db.ts hands its path
// over); `bindings`, its search for the addon, is only asked when the addon is not where npm puts it.
const external = [...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)), 'bindings'];

/**
 * yaml's "node" export is CommonJS, which nothing can tree-shake; its ES module build is the same
 * code with console.warn in place of process.emitWarning. Bundled as a module, only what the plan
 * loader, `init` and `import` use is kept.
 */
const yamlAsModule = {
  name: 'yaml-as-module',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: new URL('node_modules/yaml/browser/dist/index.js', root).pathname }));
  },
};

const outdir = new URL('dist/bundle/', root).pathname;
const outfile = `${outdir}cli.cjs`;
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [new URL('dist/src/cli.js', root).pathname],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [yamlAsModule],
  // The bundle sits in dist/bundle/, two levels below the package root like dist/src/<dir>/, so
  // the schema and package.json are found at the same relative paths from import.meta.url.
  define: { 'import.meta.url': '__relaycheckModuleUrl' },
  banner: { js: "const __relaycheckModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Whitespace and syntax only: names stay, so RELAYCHECK_DEBUG stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// Code restored from a V8 code cache cannot import() in Node 20: packages and plugins loaded on
// demand must go through src/import-module.ts, which the starter serves.
const direct = Object.entries(result.metafile.inputs).flatMap(([file, input]) =>
  input.imports.filter((i) => i.kind === 'dynamic-import' && i.external).map((i) => `${file}: import('${i.path}')`),
);
if (direct.length) {
  console.error(`bundle: use importModule() from src/import-module.ts instead of import() for:\n  ${direct.join('\n  ')}`);
  process.exit(1);
}

// The starter compiles the bundle as a function body (no "#!" line) and keys its code cache by the
// build id on the first line: a hash of the code, since npm gives every installed file the same
// modification time and V8 itself only compares the source length.
const code = readFileSync(outfile, 'utf8').replace(/^#![^\n]*\n/, '');
// ASCII only, so the starter reads it as latin1 and V8 holds a one-byte string: esbuild escapes
// every non-ASCII character except in tagged templates (write &middot; in html`` instead of ·).
const nonAscii = /[^\x00-\x7f]/.exec(code);
if (nonAscii) {
  console.error(`bundle: ${JSON.stringify(code.slice(Math.max(0, nonAscii.index - 60), nonAscii.index + 20))} is not ASCII; use an escape or an HTML entity`);
  process.exit(1);
}
const buildId = createHash('sha256').update(code).digest('hex').slice(0, 16);
writeFileSync(outfile, `// relaycheck build ${buildId}\n${code}`);
