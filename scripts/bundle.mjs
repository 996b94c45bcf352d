// Build step: bundles the compiled CLI (dist/src/cli.js) into one CommonJS file,
// dist/bundle/cli.cjs, which the `relaycheck` starter (dist/src/start.cjs) runs from a V8 code
// cache. Node 20 loads an ES module graph file by file (resolve, stat, read, compile, link: about
// half a millisecond each here) and a run touches about 100 of our files plus yaml's 80; one file
// can also be compiled from a cache, which an ES module graph cannot be in Node 20.
//
// Bundled in: our code, the generated plan validator and the JavaScript on a run's path (yaml,
// cli-table3, better-sqlite3 without its native addon). Left as packages: what is loaded on demand
// (yargs also reads its locale files from its own folder; nodemailer, imapflow, dns-packet,
// smtp-server, @azure/msal-node, jose, @peculiar/x509, ajv).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const BUNDLED = new Set(['yaml', 'cli-table3', 'better-sqlite3']);
// better-sqlite3's JavaScript is bundled, its native addon is not (src/store/db.ts hands its path
// over; package.json pins the exact version so that both come from the same release); `bindings`,
// its search for the addon, is only asked when the addon is not where npm puts it.
const external = [...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)), 'bindings'];

/**
 * yaml's "node" export is CommonJS, which nothing can tree-shake; its ES module build is the same
 * code with console.warn in place of process.emitWarning. Bundled as a module, only what the plan
 * loader, `init` and `import` use is kept.
 */
const yamlAsModule = {
  name: 'yaml-as-module',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: join(root, 'node_modules', 'yaml', 'browser', 'dist', 'index.js') }));
  },
};

function fail(message) {
  console.error(`bundle: ${message}`);
  process.exit(1);
}

const outdir = join(root, 'dist', 'bundle');
const outfile = join(outdir, 'cli.cjs');
// Nothing is left behind by a failed build: a half-made bundle would break the executable.
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'dist', 'src', 'cli.js')],
  outfile,
  write: false,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [yamlAsModule],
  // The bundle sits in dist/bundle/, two levels below the package root like dist/src/<dir>/, so
  // the schema and package.json are found at the same relative paths from import.meta.url.
  define: { 'import.meta.url': '__relaycheckModuleUrl' },
  // "use strict" first: ES modules are strict, and a banner line before esbuild's own directive
  // would turn the whole bundle sloppy.
  banner: { js: "'use strict';\nconst __relaycheckModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Whitespace and syntax only: names stay, so RELAYCHECK_DEBUG stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// The starter cannot service an import() written in the bundle (a vm.Script without a dynamic
// import callback): packages and plugins loaded on demand go through src/starter-link.ts.
const direct = Object.entries(result.metafile.inputs).flatMap(([file, input]) =>
  input.imports.filter((i) => i.kind === 'dynamic-import' && i.external).map((i) => `${file}: import('${i.path}')`),
);
if (direct.length) fail(`use importModule() from src/starter-link.ts instead of import() for:\n  ${direct.join('\n  ')}`);

// The starter compiles the bundle as a function body (no "#!" line).
const code = result.outputFiles[0].text.replace(/^#![^\n]*\n/, '');
// ASCII only, so the starter reads it as latin1 and V8 holds a one-byte string: esbuild escapes
// every non-ASCII character except in tagged templates (write &middot; in html`` instead of ·).
const nonAscii = /[^\x00-\x7f]/.exec(code);
if (nonAscii) fail(`${JSON.stringify(code.slice(Math.max(0, nonAscii.index - 60), nonAscii.index + 20))} is not ASCII; use an escape or an HTML entity`);
// The code cache is keyed by this build id on the first line: a hash of the code, since npm gives
// every installed file the same modification time and V8 itself only compares the source length.
const buildId = createHash('sha256').update(code).digest('hex').slice(0, 16);
mkdirSync(outdir, { recursive: true });
writeFileSync(outfile, `// relaycheck build ${buildId}\n${code}`);
