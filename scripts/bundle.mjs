// Build step: bundles the compiled CLI (dist/src/cli.js) into one CommonJS file,
// dist/bundle/cli.cjs, which the `relaycheck` executable (dist/src/bin.cjs) runs. Node 20 loads
// an ES module graph file by file (resolve, stat, read, compile, link: about half a millisecond
// each here) and a run touches about 100 of our files plus yaml's 80; one file is read and
// compiled at once, and Node ≥ 22.1 keeps its compiled code in the compile cache.
//
// Bundled in: our code, the generated plan validator and the JavaScript on a run's path (yaml,
// cli-table3). Left as packages: better-sqlite3 (its JavaScript and its native addon come from
// the same installed release) and what is loaded on demand with import() (yargs also reads its
// locale files from its own folder; nodemailer, imapflow, dns-packet, smtp-server,
// @azure/msal-node, jose, @peculiar/x509, ajv).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const BUNDLED = new Set(['yaml', 'cli-table3']);
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));

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

const outdir = join(root, 'dist', 'bundle');
// Nothing is left behind by a failed build: a half-made bundle would break the executable.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist', 'src', 'cli.js')],
  outfile: join(outdir, 'cli.cjs'),
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
  logLevel: 'warning',
});
