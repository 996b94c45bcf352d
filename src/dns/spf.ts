// SPF (RFC 7208) without a resolver: parse records, walk include:/redirect= through records that
// were already looked up, count the DNS-querying terms against the limit of 10 (§4.6.4) and run
// check_host() for the org's relay addresses. Whatever is missing comes back as `needs`, so a probe
// can fetch it and call again until nothing is missing (the same walk gathers and judges).
import { lookupFailed, normalizeName, txtOf } from './answer.js';
import { EXO_SPF_INCLUDE } from '../exo/dns.js';
import { formatIp, parseCidr, parseIp, rangeContains, rangeOf, type IpRange } from './ip.js';
import type { DnsAnswer } from '../evidence/dns.js';

export type Qualifier = '+' | '-' | '~' | '?';
export type MechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

export interface SpfMechanism {
  kind: 'mechanism';
  raw: string;
  qualifier: Qualifier;
  name: MechanismName;
  domainSpec?: string;
  range?: IpRange;
  cidr4?: number;
  cidr6?: number;
}

export interface SpfModifier {
  kind: 'modifier';
  raw: string;
  name: string;
  value: string;
}

export type SpfTerm = SpfMechanism | SpfModifier;

export interface ParsedSpf {
  terms: SpfTerm[];
  errors: string[];
}

/** The terms that cost a DNS lookup (RFC 7208 §4.6.4): include, a, mx, ptr, exists and redirect. */
export const LOOKUP_MECHANISMS: ReadonlySet<string> = new Set(['include', 'a', 'mx', 'ptr', 'exists']);
export const MAX_LOOKUPS = 10;
const MAX_DEPTH = 10;
const MAX_NODES = 60;
/** RFC 7208 §4.6.4: an "mx" term may look up at most 10 address records; more is permerror. */
export const MAX_MX_HOSTS = 10;

/** A TXT string that is an SPF record: "v=spf1" alone or followed by a space (§4.5). */
export function isSpfRecord(txt: string): boolean {
  return /^v=spf1( |$)/i.test(txt);
}

const DOMAIN_SPEC = /^[\x21-\x7e]+$/;

export function parseSpf(text: string): ParsedSpf {
  const errors: string[] = [];
  const terms: SpfTerm[] = [];
  const parts = text.trim().split(/ +/).filter(Boolean);
  if (!parts.length || !/^v=spf1$/i.test(parts[0]!)) errors.push('the record does not start with "v=spf1"');
  const seenModifiers = new Set<string>();
  for (const raw of parts.slice(1)) {
    const mod = /^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$/.exec(raw);
    if (mod) {
      const name = mod[1]!.toLowerCase();
      if ((name === 'redirect' || name === 'exp') && seenModifiers.has(name)) errors.push(`"${name}=" appears twice`);
      if ((name === 'redirect' || name === 'exp') && !mod[2]) errors.push(`"${raw}" has no domain`);
      seenModifiers.add(name);
      terms.push({ kind: 'modifier', raw, name, value: mod[2]! });
      continue;
    }
    const mech = /^([+\-~?]?)([A-Za-z][A-Za-z0-9]*)(.*)$/.exec(raw);
    if (!mech) {
      errors.push(`"${raw}" is not an SPF term`);
      continue;
    }
    const qualifier = (mech[1] || '+') as Qualifier;
    const name = mech[2]!.toLowerCase();
    const rest = mech[3]!;
    const bad = (why: string) => errors.push(`"${raw}": ${why}`);
    switch (name) {
      case 'all':
        if (rest) bad('"all" takes no argument');
        else terms.push({ kind: 'mechanism', raw, qualifier, name });
        break;
      case 'include':
      case 'exists': {
        const spec = rest.startsWith(':') ? rest.slice(1) : '';
        if (!spec || !DOMAIN_SPEC.test(spec)) bad(`"${name}" needs ":domain"`);
        else terms.push({ kind: 'mechanism', raw, qualifier, name, domainSpec: spec });
        break;
      }
      case 'a':
      case 'mx': {
        const m = /^(?::([^/]+))?(?:\/(\d{1,2}))?(?:\/\/(\d{1,3}))?$/.exec(rest);
        const cidr4 = m?.[2] === undefined ? undefined : Number(m[2]);
        const cidr6 = m?.[3] === undefined ? undefined : Number(m[3]);
        if (!m || (cidr4 !== undefined && cidr4 > 32) || (cidr6 !== undefined && cidr6 > 128)) bad('malformed domain or prefix length');
        else terms.push({ kind: 'mechanism', raw, qualifier, name, ...(m[1] ? { domainSpec: m[1] } : {}), ...(cidr4 !== undefined ? { cidr4 } : {}), ...(cidr6 !== undefined ? { cidr6 } : {}) });
        break;
      }
      case 'ptr': {
        const spec = rest.startsWith(':') ? rest.slice(1) : rest ? null : undefined;
        if (spec === null || spec === '') bad('malformed domain');
        else terms.push({ kind: 'mechanism', raw, qualifier, name, ...(spec ? { domainSpec: spec } : {}) });
        break;
      }
      case 'ip4':
      case 'ip6': {
        const range = rest.startsWith(':') ? parseCidr(rest.slice(1)) : null;
        if (!range || range.family !== (name === 'ip4' ? 4 : 6)) bad(`not an ${name === 'ip4' ? 'IPv4' : 'IPv6'} address or network`);
        else terms.push({ kind: 'mechanism', raw, qualifier, name, range });
        break;
      }
      default:
        bad(`unknown mechanism "${name}"`);
    }
  }
  return { terms, errors };
}

/**
 * Expands the macros relaycheck can know without a message (RFC 7208 §7): %{d} and %{o} (the
 * domain), %{i} (the address being checked, when there is one), %%, %_ and %-; with digit and
 * "r" transformers. Returns null when the spec needs the sender's data (%{s}, %{l}, %{h}, …).
 */
export function expandDomainSpec(spec: string, domain: string, ip?: { family: 4 | 6; value: bigint }): string | null {
  if (!spec.includes('%')) return normalizeName(spec);
  let failed = false;
  const out = spec.replace(/%(?:\{([a-zA-Z])(\d*)(r?)([.\-+,/_=]*)\}|%|_|-)/g, (m, letter?: string, digits?: string, reverse?: string, delims?: string) => {
    if (m === '%%') return '%';
    if (m === '%_') return ' ';
    if (m === '%-') return '%20';
    let value: string;
    switch (letter?.toLowerCase()) {
      case 'd':
      case 'o':
        value = domain;
        break;
      case 'i':
        if (!ip) {
          failed = true;
          return '';
        }
        value = ip.family === 4 ? formatIp(4, ip.value) : ip.value.toString(16).padStart(32, '0').split('').join('.');
        break;
      default:
        failed = true;
        return '';
    }
    const splitter = new RegExp(`[${(delims || '.').replace(/[-\\\]^]/g, '\\$&')}]`);
    let labels = value.split(splitter);
    if (reverse) labels = labels.reverse();
    if (digits) labels = labels.slice(-Math.max(1, Number(digits)));
    return labels.join('.');
  });
  if (failed || /%/.test(out.replace(/%20/g, ''))) return null;
  return normalizeName(out);
}

// ─── The walk: structure, lookup count, problems ─────────────────────────────────────────────

export type SpfLookupType = 'TXT' | 'A' | 'AAAA' | 'MX';
/** Answers gathered so far; undefined = not looked up yet. */
export type SpfLookup = (type: SpfLookupType, name: string) => DnsAnswer | undefined;

export interface SpfNeed {
  type: SpfLookupType;
  name: string;
}

export type SpfNodeState = 'ok' | 'pending' | 'no-record' | 'multiple' | 'lookup-failed' | 'loop' | 'too-deep' | 'macro';

export interface SpfNode {
  domain: string;
  via: 'root' | 'include' | 'redirect';
  /** the term that led here, e.g. "include:_spf.contoso.com" */
  term?: string;
  state: SpfNodeState;
  /** why the state is not ok, in words */
  detail?: string;
  record?: string;
  /** SPF records found at `domain` (two or more: permerror) */
  records: string[];
  errors: string[];
  /** DNS-querying terms in this record (not counting nested records) */
  lookups: number;
  all?: Qualifier;
  /** mechanisms after "all", which receivers never evaluate */
  afterAll: string[];
  /** redirect= present but ignored because the record has "all" */
  redirectIgnored?: boolean;
  children: SpfNode[];
}

export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror' | 'unknown' | 'pending';

export interface RelayVerdict {
  /** the relay address or network as the plan lists it */
  range: string;
  result: SpfResult;
  /** the record and term that matched, e.g. "contoso.com: ip4:192.0.2.0/24" */
  via?: string;
  reason?: string;
}

export interface SpfProblem {
  /** permerror: receivers fail SPF for all mail; warning: ignored by receivers, but not what was meant */
  severity: 'permerror' | 'warning';
  message: string;
}

export interface SpfAnalysis {
  record: string;
  tree: SpfNode;
  /** DNS-querying terms through every nested include and redirect */
  lookups: number;
  /** "contoso.com (3), _spf.contoso.com (4), …": where the lookups come from */
  lookupBreakdown: string[];
  /** domains from the record to the one that has include:spf.protection.outlook.com */
  exoIncludePath?: string[];
  /** the "all" that ends evaluation: this record's, else the redirect target's */
  effectiveAll?: Qualifier;
  /** problems anywhere in the tree, each naming the record it is in */
  problems: SpfProblem[];
  /** a nested lookup failed (timeout, SERVFAIL): receivers return temperror */
  temperrors: string[];
  relay: RelayVerdict[];
}

export interface SpfEvaluation {
  domain: string;
  /** the TXT answer at the domain */
  answer?: DnsAnswer;
  /** the SPF records among the domain's TXT records */
  records: string[];
  /** one analysis per SPF record (normally exactly one) */
  analyses: SpfAnalysis[];
  /** answers still missing (the probe fetches them and evaluates again) */
  needs: SpfNeed[];
}

interface WalkCtx {
  lookup: SpfLookup;
  needs: Map<string, SpfNeed>;
  nodes: number;
}

function need(ctx: { needs: Map<string, SpfNeed> }, type: SpfLookupType, name: string): void {
  ctx.needs.set(`${type} ${name}`, { type, name });
}

function walkDomain(domain: string | null, via: SpfNode['via'], term: string, chain: string[], ctx: WalkCtx): SpfNode {
  const base = { via, term, records: [], errors: [], lookups: 0, afterAll: [], children: [] };
  if (domain === null) return { ...base, domain: term, state: 'macro', detail: `${term} uses a macro that depends on the message; relaycheck cannot follow it` };
  if (chain.includes(domain)) return { ...base, domain, state: 'loop', detail: `${term} loops back to ${domain}` };
  if (chain.length > MAX_DEPTH || ++ctx.nodes > MAX_NODES) return { ...base, domain, state: 'too-deep', detail: `${term} is nested too deeply` };
  const answer = ctx.lookup('TXT', domain);
  if (!answer) {
    need(ctx, 'TXT', domain);
    return { ...base, domain, state: 'pending' };
  }
  if (lookupFailed(answer)) return { ...base, domain, state: 'lookup-failed', detail: `TXT ${domain}: ${answer.status}${answer.error ? ` (${answer.error})` : ''}` };
  const records = txtOf(answer).filter(isSpfRecord);
  if (records.length === 0) {
    const why = answer.status === 'nxdomain' ? 'does not exist' : 'has no SPF record';
    return { ...base, domain, state: 'no-record', detail: `${term}: ${domain} ${why}` };
  }
  if (records.length > 1) return { ...base, domain, records, state: 'multiple', detail: `${domain} has ${records.length} SPF records` };
  return walkRecord(domain, records[0]!, via, term, chain, ctx);
}

function walkRecord(domain: string, record: string, via: SpfNode['via'], term: string | undefined, chain: string[], ctx: WalkCtx): SpfNode {
  const parsed = parseSpf(record);
  const node: SpfNode = { domain, via, ...(term ? { term } : {}), state: 'ok', record, records: [record], errors: parsed.errors, lookups: 0, afterAll: [], children: [] };
  const next = [...chain, domain];
  for (const t of parsed.terms) {
    if (t.kind !== 'mechanism') continue;
    if (node.all !== undefined) {
      node.afterAll.push(t.raw);
      continue;
    }
    if (t.name === 'all') {
      node.all = t.qualifier;
      continue;
    }
    if (LOOKUP_MECHANISMS.has(t.name)) node.lookups++;
    if (t.name === 'mx') tooManyMxHosts(t, domain, node, ctx);
    if (t.name === 'include') node.children.push(walkDomain(expandDomainSpec(t.domainSpec!, domain), 'include', t.raw, next, ctx));
  }
  const redirect = parsed.terms.find((t): t is SpfModifier => t.kind === 'modifier' && t.name === 'redirect');
  if (redirect) {
    if (node.all !== undefined) node.redirectIgnored = true;
    else {
      node.lookups++;
      node.children.push(walkDomain(expandDomainSpec(redirect.value, domain), 'redirect', redirect.raw, next, ctx));
    }
  }
  return node;
}

/** The per-"mx" limit of 10 address lookups is separate from the 10-term limit (RFC 7208 §4.6.4). */
function tooManyMxHosts(t: SpfMechanism, domain: string, node: SpfNode, ctx: WalkCtx): void {
  const target = expandDomainSpec(t.domainSpec ?? domain, domain);
  if (target === null) return;
  const mx = ctx.lookup('MX', target);
  if (!mx) return need(ctx, 'MX', target);
  const hosts = new Set(mx.records.flatMap((r) => (r.type === 'MX' ? [normalizeName(r.exchange)] : []))).size;
  if (hosts > MAX_MX_HOSTS) node.errors.push(`"${t.raw}": ${target} has ${hosts} MX hosts, more than the ${MAX_MX_HOSTS} address lookups one mx term may make (RFC 7208 §4.6.4)`);
}

function flatten(node: SpfNode): SpfNode[] {
  return [node, ...node.children.flatMap(flatten)];
}

function findExoPath(node: SpfNode, path: string[] = []): string[] | undefined {
  for (const child of node.children) {
    if (child.via === 'include' && normalizeName(child.domain) === EXO_SPF_INCLUDE) return [...path, node.domain];
    const deeper = findExoPath(child, [...path, node.domain]);
    if (deeper) return deeper;
  }
  return undefined;
}

function effectiveAll(node: SpfNode): Qualifier | undefined {
  if (node.all !== undefined) return node.all;
  const redirect = node.children.find((c) => c.via === 'redirect');
  return redirect ? effectiveAll(redirect) : undefined;
}

function analyse(domain: string, record: string, ctx: WalkCtx, relayRanges: string[]): SpfAnalysis {
  const tree = walkRecord(domain, record, 'root', undefined, [], ctx);
  const nodes = flatten(tree);
  const problems: SpfProblem[] = [];
  const temperrors: string[] = [];
  for (const n of nodes) {
    for (const e of n.errors) problems.push({ severity: 'permerror', message: `${n.domain}: ${e}` });
    switch (n.state) {
      case 'no-record':
      case 'multiple':
      case 'loop':
      case 'too-deep':
        problems.push({ severity: 'permerror', message: n.detail! });
        break;
      case 'macro':
        break; // not an error, but relaycheck cannot count beyond it
      case 'lookup-failed':
        temperrors.push(n.detail!);
        break;
    }
    if (n.afterAll.length) problems.push({ severity: 'warning', message: `${n.domain}: ${n.afterAll.join(' ')} after "all" is never evaluated` });
    if (n.redirectIgnored) problems.push({ severity: 'warning', message: `${n.domain}: redirect= is ignored because the record has "all"` });
  }
  const exoIncludePath = findExoPath(tree);
  const relay = relayRanges.map((r) => relayVerdict(r, domain, record, ctx));
  return {
    record,
    tree,
    lookups: nodes.reduce((sum, n) => sum + n.lookups, 0),
    lookupBreakdown: nodes.filter((n) => n.lookups > 0).map((n) => `${n.domain} (${n.lookups})`),
    ...(exoIncludePath ? { exoIncludePath } : {}),
    ...(effectiveAll(tree) !== undefined ? { effectiveAll: effectiveAll(tree) } : {}),
    problems,
    temperrors,
    relay,
  };
}

/**
 * Evaluates the SPF set-up of `domain` from the answers gathered so far. `relayRanges` are the
 * org's relay addresses (single IPs or CIDR) that must get "pass" from check_host().
 */
export function evaluateSpf(domain: string, lookup: SpfLookup, relayRanges: string[] = []): SpfEvaluation {
  const d = normalizeName(domain);
  const ctx: WalkCtx = { lookup, needs: new Map(), nodes: 0 };
  const answer = lookup('TXT', d);
  if (!answer) {
    need(ctx, 'TXT', d);
    return { domain: d, records: [], analyses: [], needs: [...ctx.needs.values()] };
  }
  const records = lookupFailed(answer) ? [] : txtOf(answer).filter(isSpfRecord);
  const analyses = records.map((r) => analyse(d, r, ctx, relayRanges));
  return { domain: d, answer, records, analyses, needs: [...ctx.needs.values()] };
}

// ─── check_host() for the relay addresses ───────────────────────────────────────────────────

const QUALIFIER_RESULT: Record<Qualifier, SpfResult> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

interface HostResult {
  result: SpfResult;
  via?: string;
  reason?: string;
}

function relayVerdict(rangeText: string, domain: string, record: string, ctx: WalkCtx): RelayVerdict {
  const range = parseCidr(rangeText);
  if (!range) return { range: rangeText, result: 'unknown', reason: 'not an IP address or network' };
  const r = checkRecord(range, domain, record, ctx, 0);
  return { range: rangeText, ...r };
}

/** The gathered answer, or the result check_host() gives while it is missing (pending) or failed (temperror). */
function answerOr(ctx: WalkCtx, type: SpfLookupType, name: string): DnsAnswer | HostResult {
  const answer = ctx.lookup(type, name);
  if (!answer) {
    need(ctx, type, name);
    return { result: 'pending' };
  }
  if (lookupFailed(answer)) return { result: 'temperror', reason: `${type} ${name}: ${answer.status}` };
  return answer;
}

function checkDomain(range: IpRange, domain: string, ctx: WalkCtx, depth: number): HostResult {
  if (depth > MAX_DEPTH) return { result: 'permerror', reason: 'nested too deeply' };
  const answer = answerOr(ctx, 'TXT', domain);
  if ('result' in answer) return answer;
  const records = txtOf(answer).filter(isSpfRecord);
  if (records.length === 0) return { result: 'none', reason: `${domain} has no SPF record` };
  if (records.length > 1) return { result: 'permerror', reason: `${domain} has ${records.length} SPF records` };
  return checkRecord(range, domain, records[0]!, ctx, depth);
}

function addressLookup(range: IpRange, target: string, prefix: number, ctx: WalkCtx): boolean | HostResult {
  const type = range.family === 4 ? 'A' : 'AAAA';
  const answer = answerOr(ctx, type, target);
  if ('result' in answer) return answer;
  return answer.records.some((rec) => {
    if (rec.type !== type) return false;
    const ip = parseIp(rec.data);
    return ip !== null && rangeContains(rangeOf(ip.family, ip.value, prefix), range);
  });
}

function checkRecord(range: IpRange, domain: string, record: string, ctx: WalkCtx, depth: number): HostResult {
  const parsed = parseSpf(record);
  if (parsed.errors.length) return { result: 'permerror', reason: `${domain}: ${parsed.errors[0]}` };
  const single = range.start === range.end ? { family: range.family, value: range.start } : undefined;
  for (const t of parsed.terms) {
    if (t.kind !== 'mechanism') continue;
    let match = false;
    if (t.name === 'exists' && !single) return { result: 'unknown', reason: `${domain}: ${t.raw} is checked per address, not for a network` };
    const target = t.domainSpec ? expandDomainSpec(t.domainSpec, domain, single) : domain;
    if (target === null) return { result: 'unknown', reason: `${domain}: ${t.raw} depends on the message (macro)` };
    const prefix = range.family === 4 ? (t.cidr4 ?? 32) : (t.cidr6 ?? 128);
    switch (t.name) {
      case 'all':
        match = true;
        break;
      case 'ip4':
      case 'ip6':
        match = rangeContains(t.range!, range);
        break;
      case 'a': {
        const r = addressLookup(range, target, prefix, ctx);
        if (typeof r !== 'boolean') return r;
        match = r;
        break;
      }
      case 'mx': {
        const mx = answerOr(ctx, 'MX', target);
        if ('result' in mx) return mx;
        const hosts = [...new Set(mx.records.flatMap((rec) => (rec.type === 'MX' ? [normalizeName(rec.exchange)] : [])))];
        if (hosts.length > MAX_MX_HOSTS) return { result: 'permerror', reason: `${domain}: ${t.raw}: ${target} has ${hosts.length} MX hosts, more than ${MAX_MX_HOSTS} (RFC 7208 §4.6.4)` };
        let pending: HostResult | undefined;
        for (const h of hosts) {
          const r = addressLookup(range, h, prefix, ctx);
          if (typeof r !== 'boolean') pending ??= r;
          else if (r) match = true;
        }
        if (!match && pending) return pending;
        break;
      }
      case 'include': {
        const r = checkDomain(range, target, ctx, depth + 1);
        if (r.result === 'pass') match = true;
        else if (r.result === 'none') return { result: 'permerror', reason: `${domain}: ${t.raw}: ${r.reason}` };
        else if (!['fail', 'softfail', 'neutral'].includes(r.result)) return r;
        break;
      }
      case 'exists': {
        const a = answerOr(ctx, 'A', target);
        if ('result' in a) return a;
        match = a.records.length > 0;
        break;
      }
      case 'ptr':
        return { result: 'unknown', reason: `${domain}: ${t.raw} (ptr, deprecated by RFC 7208 §5.5) is not evaluated by relaycheck` };
    }
    if (match) return { result: QUALIFIER_RESULT[t.qualifier], via: `${domain}: ${t.raw}` };
  }
  const redirect = parsed.terms.find((t): t is SpfModifier => t.kind === 'modifier' && t.name === 'redirect');
  if (redirect) {
    const target = expandDomainSpec(redirect.value, domain, single);
    if (target === null) return { result: 'unknown', reason: `${domain}: ${redirect.raw} depends on the message (macro)` };
    const r = checkDomain(range, target, ctx, depth + 1);
    return r.result === 'none' ? { result: 'permerror', reason: `${domain}: ${redirect.raw}: ${r.reason}` } : r;
  }
  return { result: 'neutral', via: `${domain}: no mechanism matched (default ?all)` };
}

/**
 * The record to publish: the current one with the Exchange Online include, the missing relay
 * addresses and a hard or soft fail at the end (keeps ~all when that is what the domain has).
 */
export function suggestSpfRecord(current: string | undefined, options: { needsInclude: boolean; addRanges: string[] }): string {
  const parsed = current ? parseSpf(current) : { terms: [] as SpfTerm[], errors: [] };
  // "all" goes to the end; a redirect= would be ignored next to it, so it becomes an include:
  const keep = parsed.terms
    .filter((t) => !(t.kind === 'mechanism' && t.name === 'all'))
    .map((t) => (t.kind === 'modifier' && t.name === 'redirect' ? `include:${t.value}` : t.raw));
  const all = parsed.terms.find((t): t is SpfMechanism => t.kind === 'mechanism' && t.name === 'all');
  const ending = all?.qualifier === '~' ? '~all' : '-all';
  const ips = options.addRanges.map((r) => (r.includes(':') ? `ip6:${r}` : `ip4:${r}`));
  const include = options.needsInclude ? [`include:${EXO_SPF_INCLUDE}`] : [];
  return ['v=spf1', ...ips, ...keep, ...include, ending].join(' ');
}

/** Two or more SPF records folded into one (terms in order, duplicates dropped, the strictest "all"). */
export function mergeSpfRecords(records: string[]): string {
  const terms: string[] = [];
  const alls: Qualifier[] = [];
  for (const r of records) {
    for (const t of parseSpf(r).terms) {
      if (t.kind === 'mechanism' && t.name === 'all') alls.push(t.qualifier);
      else if (!terms.includes(t.raw)) terms.push(t.raw);
    }
  }
  return ['v=spf1', ...terms, alls.includes('-') || !alls.includes('~') ? '-all' : '~all'].join(' ');
}
