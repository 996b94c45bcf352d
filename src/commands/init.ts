// `relaycheck init`: write the commented starting plan, never over an existing file.
import { existsSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { pathToFileURL } from 'node:url';
import { PLAN_TEMPLATE } from '../plan/template.js';
import { schemaFile } from '../plan/schema.js';

/**
 * The template with a schema reference that resolves wherever relaycheck is installed (a global
 * install has no node_modules beside the plan): the absolute file URL of the schema this copy
 * ships, or no reference when it cannot be found.
 */
export function planText(): string {
  let ref: string | undefined;
  try {
    ref = pathToFileURL(schemaFile()).href;
  } catch {
    ref = undefined;
  }
  return PLAN_TEMPLATE.replace(/^# yaml-language-server: \$schema=.*\n/m, ref ? `# yaml-language-server: $schema=${ref}\n` : '');
}

export function initCommand(file: string, force: boolean): string {
  if (existsSync(file) && !force) throw new UsageError([{ file, message: 'already exists; use --force to overwrite it' }]);
  try {
    writeFileSync(file, planText());
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EISDIR' ? 'is a folder' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'not writable' : (code ?? (err as Error).message);
    throw new UsageError([{ file, message: `cannot write the plan: ${why}` }]);
  }
  // The plan reads the submission password from SCANNER_PASSWORD: without it a run stops at once (exit 2).
  return `Wrote ${file}. Edit the hosts, names and validation recipients, export SCANNER_PASSWORD (the submission account's password), then: relaycheck run -c ${file} --no-send\n`;
}
