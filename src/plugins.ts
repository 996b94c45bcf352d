// Loads user checks (--plugin PATH): an ES module whose default export (or named export `checks`)
// has the same shape as a built-in check. Anything malformed is a usage error (exit 2) naming the
// plugin file and the check. Loading and each plugin probe run under a timeout.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError, type Problem } from './errors.js';
import type { CheckDefinition, ProbeDefinition, ProbeFailure } from './types.js';

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
const SCOPES = ['plan', 'domain', 'entry', 'endpoint'];

/** A plugin module must finish loading (its top-level await included) within this time. */
export const PLUGIN_IMPORT_TIMEOUT_MS = 10_000;
/** A plugin probe must answer within this time (and the run's deadline); then it is an error result. */
export const PLUGIN_PROBE_TIMEOUT_MS = 60_000;

export interface PluginOptions {
  importTimeoutMs?: number;
  probeTimeoutMs?: number;
}

class PluginTimeout extends Error {}

/**
 * The module, or a PluginTimeout. The timer does not hold the process open: a top-level await
 * that waits for nothing at all empties the event loop, which src/runner/lifecycle.ts reports.
 */
function importWithin(url: string, ms: number): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new PluginTimeout()), ms);
    timer.unref();
  });
  return Promise.race([import(url) as Promise<Record<string, unknown>>, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A plugin probe under a timeout. Its timer holds the process open on purpose: a probe that never
 * settles becomes an error result in the report, not a process that quietly runs out of work.
 */
function boundedProbe(p: ProbeDefinition, ms: number): ProbeDefinition {
  return {
    ...p,
    run: (subject, ctx) =>
      new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => resolvePromise({ probeError: `plugin probe ${p.id} gave no answer within ${ms / 1000} s` } satisfies ProbeFailure), ms);
        Promise.resolve()
          .then(() => p.run(subject, ctx))
          .then(resolvePromise, reject)
          .finally(() => clearTimeout(timer));
      }),
  };
}

export async function loadPlugins(
  paths: string[],
  builtin: { checks: CheckDefinition[]; probes: ProbeDefinition[] },
  options: PluginOptions = {},
): Promise<{ checks: CheckDefinition[]; probes: ProbeDefinition[] }> {
  const checks = [...builtin.checks];
  const probes = [...builtin.probes];
  const importMs = options.importTimeoutMs ?? PLUGIN_IMPORT_TIMEOUT_MS;
  for (const path of paths) {
    let mod: Record<string, unknown>;
    try {
      mod = await importWithin(pathToFileURL(resolve(path)).href, importMs);
    } catch (err) {
      if (err instanceof PluginTimeout) throw new UsageError([{ file: path, message: `cannot load plugin: it did not finish loading within ${importMs / 1000} s (a top-level await that does not settle?)` }]);
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ERR_MODULE_NOT_FOUND' ? 'no such file (or it imports a module that is missing)' : `${e.name}: ${e.message.split('\n')[0]}`;
      throw new UsageError([{ file: path, message: `cannot load plugin: ${why}` }]);
    }
    const exported = (mod.default ?? mod) as { checks?: unknown; probes?: unknown };
    const problems: Problem[] = [];
    if (!Array.isArray(exported.checks) || exported.checks.length === 0) {
      throw new UsageError([{ file: path, message: 'a plugin exports { checks: [...] } (default export or named export `checks`) with at least one check' }]);
    }
    for (const [i, p] of ((exported.probes as ProbeDefinition[] | undefined) ?? []).entries()) {
      if (!p || typeof p.id !== 'string' || typeof p.run !== 'function' || typeof p.key !== 'function' || !SCOPES.includes(p.scope)) {
        problems.push({ file: path, path: `probes[${i}]`, message: 'a probe needs id, scope, key(subject) and run(subject, ctx)' });
      } else if (probes.some((q) => q.id === p.id)) problems.push({ file: path, path: `probes[${i}].id`, message: `probe id "${p.id}" is already taken` });
      else probes.push(boundedProbe(p, options.probeTimeoutMs ?? PLUGIN_PROBE_TIMEOUT_MS));
    }
    for (const [i, c] of (exported.checks as CheckDefinition[]).entries()) {
      const at = `checks[${i}]${c && typeof c.id === 'string' ? ` (${c.id})` : ''}`;
      const need = (ok: boolean, message: string) => ok || problems.push({ file: path, path: at, message });
      if (!c || typeof c !== 'object') {
        problems.push({ file: path, path: at, message: 'must be a check object' });
        continue;
      }
      need(typeof c.id === 'string' && /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)+$/i.test(c.id), 'id must be "area.name" (letters, digits, - and _)');
      need(typeof c.title === 'string' && c.title.length > 0, 'title is required');
      need(SEVERITIES.includes(c.severity), `severity must be one of ${SEVERITIES.join(', ')}`);
      need(SCOPES.includes(c.scope), `scope must be one of ${SCOPES.join(', ')}`);
      need(typeof c.remediation === 'string', 'remediation text is required');
      need(typeof c.evaluate === 'function', 'evaluate(input) must be a function');
      need(Array.isArray(c.requires), 'requires must list probe ids ([] for none)');
      for (const r of Array.isArray(c.requires) ? c.requires : []) need(probes.some((p) => p.id === r), `requires unknown probe "${r}" (known: ${probes.map((p) => p.id).join(', ') || 'none'})`);
      if (checks.some((k) => k.id === c.id)) problems.push({ file: path, path: at, message: `check id "${c.id}" is already taken` });
      checks.push({ ...c, description: c.description ?? c.title });
    }
    if (problems.length) throw new UsageError(problems);
  }
  return { checks, probes };
}
