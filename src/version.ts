// The tool's version, read once from package.json (the JSON report carries it).
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')).version as string;
    } catch {
      /* next layout */
    }
  }
  return '0.0.0';
}

export const TOOL_VERSION = readVersion();
