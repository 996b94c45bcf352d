// Validates a parsed plan against the JSON Schema that ships in schema/ and turns Ajv's errors
// into one message per problem, with the plan path in the user's notation (connectors[1].tls.mode).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { PLAN_FORMATS } from './formats.js';
import type { Problem } from '../errors.js';

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The schema file that ships with the package (editors can point at it). */
export function schemaFile(): string {
  // Compiled code lives in dist/src/plan; the schema sits at the package root in schema/.
  for (const rel of ['../../../schema/relaycheck.schema.json', '../../schema/relaycheck.schema.json']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    try {
      readFileSync(path);
      return path;
    } catch {
      /* try the next layout */
    }
  }
  throw new Error('relaycheck.schema.json not found next to the package');
}

/**
 * The build precompiles the schema (scripts/precompile-schema.mjs) so start-up does not pay for
 * compiling it; tests running from the TypeScript sources compile it here instead.
 */
async function loadValidator(): Promise<Validator> {
  try {
    const precompiled = (await import(new URL('./plan-validator.js', import.meta.url).href)) as { default: Validator };
    return precompiled.default;
  } catch {
    const mod = (await import('ajv')) as unknown as { default: typeof import('ajv').default & { default?: typeof import('ajv').default } };
    const Ajv = mod.default.default ?? mod.default;
    const ajv = new Ajv({ allErrors: true, discriminator: true, strict: false });
    for (const [name, fn] of Object.entries(PLAN_FORMATS)) ajv.addFormat(name, fn);
    return ajv.compile(JSON.parse(readFileSync(schemaFile(), 'utf8'))) as Validator;
  }
}

const validate: Validator = await loadValidator();

export function toPlanPath(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number' || /^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const FORMAT_TEXT: Record<string, string> = {
  hostname: 'must be a host name (e.g. contoso.com)',
  'cert-name': 'must be a domain name, optionally with a leading wildcard (*.contoso.com)',
  email: 'must be an e-mail address (user@contoso.com)',
  ip: 'must be an IP address',
  cidr: 'must be an IP address or CIDR range (192.0.2.0/24)',
  'host-port': 'must be host or host:port ([v6]:port for IPv6)',
  'host-port-required': 'must be host:port ([v6]:port for IPv6)',
  'ip-port': 'must be ip or ip:port ([v6]:port for IPv6)',
};

const SECRET_KEYS = new Set(['password', 'key', 'accessToken']);

function describe(e: ErrorObject, data: unknown): { segments: string[]; message: string } | null {
  const segments = pointerSegments(e.instancePath);
  const value = segments.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), data);
  switch (e.keyword) {
    case 'additionalProperties':
      return { segments: [...segments, String(e.params.additionalProperty)], message: 'unknown key' };
    case 'required': {
      const missing = String(e.params.missingProperty);
      const when = e.schemaPath.includes('/then/') && missing === 'domain' ? ' when mode is domain (the name the smart hosts\' certificates must carry)' : '';
      return { segments: [...segments, missing], message: `is required${when}` };
    }
    case 'enum':
      return { segments, message: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')} (found ${JSON.stringify(value)})` };
    case 'const':
      return { segments, message: `must be ${JSON.stringify(e.params.allowedValue)} (found ${JSON.stringify(value)})` };
    case 'type':
      // Never echo a secret written inline (a password of digits is a number in YAML).
      if (value !== null && typeof value !== 'object' && SECRET_KEYS.has(segments[segments.length - 1])) {
        return { segments, message: 'secrets are never written in the plan: use { env: NAME } or { file: path }' };
      }
      return { segments, message: `must be ${e.params.type === 'array' ? 'a list' : e.params.type === 'object' ? 'a mapping' : `${/^[aeiou]/.test(String(e.params.type)) ? 'an' : 'a'} ${e.params.type}`} (found ${describeValue(value)})` };
    case 'format':
      return { segments, message: `${FORMAT_TEXT[String(e.params.format)] ?? `must match format ${e.params.format}`} (found ${JSON.stringify(value)})` };
    case 'propertyNames':
      return null; // reported by the nested format error on the key
    case 'minLength':
      if (e.params.limit === 1) return { segments, message: 'must not be empty' };
      return { segments, message: `must be at least ${e.params.limit} characters long` };
    case 'minItems':
      return { segments, message: `must list at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}` };
    case 'minProperties':
    case 'maxProperties':
      return { segments, message: 'must have exactly one of env or file' };
    case 'discriminator':
      if (e.params.error === 'mapping') return { segments: [...segments, 'direction'], message: `must be one of to-office365, from-office365 (found ${JSON.stringify((value as Record<string, unknown>)?.direction)})` };
      return { segments: [...segments, 'direction'], message: 'is required (to-office365 or from-office365)' };
    case 'if':
    case 'oneOf':
      return null; // the branch errors say what is wrong
    default:
      return { segments, message: e.message ?? 'is invalid' };
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Problems with plan paths (no file/line: the loader adds those). */
export function validatePlanData(data: unknown): (Problem & { segments: string[] })[] {
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: (Problem & { segments: string[] })[] = [];
  for (const e of validate.errors ?? []) {
    // A key that fails a propertyNames format is reported with the key as the path.
    if (e.keyword === 'format' && e.propertyName !== undefined) {
      const segments = [...pointerSegments(e.instancePath), e.propertyName];
      const msg = `${FORMAT_TEXT[String(e.params.format)] ?? 'is not valid'} (found ${JSON.stringify(e.propertyName)})`;
      push(segments, msg);
      continue;
    }
    const d = describe(e, data);
    if (d) push(d.segments, d.message);
  }
  return problems;

  function push(segments: string[], message: string) {
    const path = toPlanPath(segments);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ path, segments, message });
  }
}
