// `relaycheck init`: write the commented starting plan, never over an existing file.
import { existsSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { PLAN_TEMPLATE } from '../plan/template.js';

export function initCommand(file: string, force: boolean): string {
  if (existsSync(file) && !force) throw new UsageError([{ file, message: 'already exists; use --force to overwrite it' }]);
  writeFileSync(file, PLAN_TEMPLATE);
  return `Wrote ${file}. Edit the hosts, names and validation recipients, then: relaycheck run -c ${file} --no-send\n`;
}
