// Rewrites the checks table in README.md from the registry (`npm run docs`).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderCatalogue } from '../dist/src/commands/checks.js';
import { builtinChecks } from '../dist/src/registry.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const table = renderCatalogue(builtinChecks, 'markdown');
const next = readme.replace(/<!-- checks:start -->[\s\S]*<!-- checks:end -->/, `<!-- checks:start -->\n${table}<!-- checks:end -->`);
writeFileSync(file, next);
console.log(next === readme ? 'README checks table already current' : 'README checks table updated');
