import { describe, expect, it } from 'vitest';
import { evaluateSpf, expandDomainSpec, isSpfRecord, parseSpf, suggestSpfRecord, type SpfLookup } from '../../src/dns/spf.js';
import { parseIp } from '../../src/dns/ip.js';
import { zoneLookup } from '../helpers/dns-answers.js';
import type { Zone } from '../helpers/dns-server.js';

const EXO: Zone = {
  'spf.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 include:spfd.protection.outlook.com -all'] },
  'spfd.protection.outlook.com': { TXT: ['v=spf1 ip4:51.4.72.0/24 -all'] },
};

function evaluate(zone: Zone, domain = 'contoso.com', relay: string[] = []) {
  const lookup = zoneLookup({ ...EXO, ...zone });
  return { ev: evaluateSpf(domain, lookup as SpfLookup, relay), lookup };
}

describe('SPF records', () => {
  it('recognizes an SPF record by its version term only', () => {
    expect(isSpfRecord('v=spf1 -all')).toBe(true);
    expect(isSpfRecord('v=spf1')).toBe(true);
    expect(isSpfRecord('V=SPF1 mx -all')).toBe(true);
    expect(isSpfRecord('v=spf10 -all')).toBe(false);
    expect(isSpfRecord('google-site-verification=x')).toBe(false);
  });

  it('parses mechanisms with qualifiers, domains and prefix lengths', () => {
    const { terms, errors } = parseSpf('v=spf1 ip4:192.0.2.0/24 -a:mail.contoso.com/28 ~mx//64 ?include:_spf.contoso.com exists:%{i}.rbl.contoso.com redirect=_spf.contoso.com');
    expect(errors).toEqual([]);
    expect(terms.map((t) => (t.kind === 'mechanism' ? `${t.qualifier}${t.name}` : t.name))).toEqual(['+ip4', '-a', '~mx', '?include', '+exists', 'redirect']);
    expect(terms[1]).toMatchObject({ domainSpec: 'mail.contoso.com', cidr4: 28 });
    expect(terms[2]).toMatchObject({ cidr6: 64 });
  });

  it('reports syntax errors receivers treat as permerror', () => {
    expect(parseSpf('v=spf1 ip4:192.0.2.300 -all').errors).toEqual(['"ip4:192.0.2.300": not an IPv4 address or network']);
    expect(parseSpf('v=spf1 include -all').errors[0]).toMatch(/needs ":domain"/);
    expect(parseSpf('v=spf1 foo:bar -all').errors[0]).toMatch(/unknown mechanism "foo"/);
    expect(parseSpf('v=spf1 redirect=a.com redirect=b.com').errors[0]).toMatch(/appears twice/);
  });

  it('expands the macros it can know and refuses sender-dependent ones', () => {
    const ip = parseIp('192.0.2.3')!;
    expect(expandDomainSpec('%{d}', 'contoso.com')).toBe('contoso.com');
    expect(expandDomainSpec('%{ir}.%{d2}.rbl.example', 'mail.contoso.com', ip)).toBe('3.2.0.192.contoso.com.rbl.example');
    expect(expandDomainSpec('%{l}._spf.%{d}', 'contoso.com')).toBeNull();
    expect(expandDomainSpec('%{i}.rbl.example', 'contoso.com')).toBeNull();
  });
});

describe('SPF evaluation', () => {
  it('asks only for the root record first, then for each include level', () => {
    const { ev } = evaluate({}, 'contoso.com');
    expect(ev.needs).toEqual([]);
    const partial = evaluateSpf('contoso.com', () => undefined);
    expect(partial.needs).toEqual([{ type: 'TXT', name: 'contoso.com' }]);
  });

  it('passes a plain Exchange Online record: include found, 2 lookups, -all', () => {
    const { ev } = evaluate({ 'contoso.com': { TXT: ['v=spf1 include:spf.protection.outlook.com -all'] } });
    const [a] = ev.analyses;
    expect(ev.records).toHaveLength(1);
    expect(a!.exoIncludePath).toEqual(['contoso.com']);
    expect(a!.lookups).toBe(2);
    expect(a!.effectiveAll).toBe('-');
    expect(a!.problems).toEqual([]);
  });

  it('counts DNS-querying terms through nested includes and says where they come from', () => {
    const { ev } = evaluate({
      'contoso.com': { TXT: ['v=spf1 mx a include:_spf1.contoso.com include:_spf2.contoso.com ~all'] },
      '_spf1.contoso.com': { TXT: ['v=spf1 include:spf.protection.outlook.com a:relay1.contoso.com a:relay2.contoso.com ptr -all'] },
      '_spf2.contoso.com': { TXT: ['v=spf1 exists:%{i}.allow.contoso.com mx:contoso.net include:_spf3.contoso.com -all'] },
      '_spf3.contoso.com': { TXT: ['v=spf1 ip4:192.0.2.0/24 a:x.contoso.com -all'] },
    });
    const a = ev.analyses[0]!;
    // root 4, _spf1 4 (+ spf.protection 1), _spf2 3, _spf3 1 = 13
    expect(a.lookups).toBe(13);
    expect(a.lookupBreakdown).toEqual(['contoso.com (4)', '_spf1.contoso.com (4)', 'spf.protection.outlook.com (1)', '_spf2.contoso.com (3)', '_spf3.contoso.com (1)']);
    expect(a.exoIncludePath).toEqual(['contoso.com', '_spf1.contoso.com']);
    expect(a.effectiveAll).toBe('~');
  });

  it('follows redirect= for the count and for the final "all"', () => {
    const { ev } = evaluate({
      'contoso.com': { TXT: ['v=spf1 redirect=_spf.contoso.com'] },
      '_spf.contoso.com': { TXT: ['v=spf1 include:spf.protection.outlook.com -all'] },
    });
    expect(ev.analyses[0]!.lookups).toBe(3);
    expect(ev.analyses[0]!.effectiveAll).toBe('-');
  });

  it('reports an include of a domain without SPF record, a record with two SPF records, and loops', () => {
    const { ev } = evaluate({
      'contoso.com': { TXT: ['v=spf1 include:gone.contoso.com include:double.contoso.com include:loop.contoso.com -all'] },
      'double.contoso.com': { TXT: ['v=spf1 -all', 'v=spf1 +all'] },
      'loop.contoso.com': { TXT: ['v=spf1 include:contoso.com -all'] },
    });
    expect(ev.analyses[0]!.problems.map((p) => p.message)).toEqual([
      'include:gone.contoso.com: gone.contoso.com does not exist',
      'double.contoso.com has 2 SPF records',
      'include:contoso.com loops back to contoso.com',
    ]);
  });

  it('keeps records with two SPF records apart, analysing each', () => {
    const { ev } = evaluate({ 'contoso.com': { TXT: ['v=spf1 include:spf.protection.outlook.com -all', 'v=spf1 ip4:192.0.2.1 ?all'] } });
    expect(ev.records).toHaveLength(2);
    expect(ev.analyses.map((a) => a.effectiveAll)).toEqual(['-', '?']);
  });

  it('notes terms after "all", which receivers never evaluate', () => {
    const { ev } = evaluate({ 'contoso.com': { TXT: ['v=spf1 -all include:spf.protection.outlook.com'] } });
    expect(ev.analyses[0]!.problems).toEqual([{ severity: 'warning', message: 'contoso.com: include:spf.protection.outlook.com after "all" is never evaluated' }]);
    expect(ev.analyses[0]!.exoIncludePath).toBeUndefined();
  });

  it('runs check_host for relay addresses: ip4, a, mx, include and exists', () => {
    const zone: Zone = {
      'contoso.com': { TXT: ['v=spf1 ip4:198.51.100.0/24 a:relay.contoso.com mx include:_spf.contoso.com exists:%{i}.ok.contoso.com include:spf.protection.outlook.com ~all'], MX: [{ preference: 10, exchange: 'mx1.contoso.com' }] },
      'relay.contoso.com': { A: ['203.0.113.5'] },
      'mx1.contoso.com': { A: ['203.0.113.6'] },
      '_spf.contoso.com': { TXT: ['v=spf1 ip4:203.0.113.7 -all'] },
      '203.0.113.8.ok.contoso.com': { A: ['127.0.0.2'] },
    };
    const { ev } = evaluate(zone, 'contoso.com', ['198.51.100.0/25', '203.0.113.5', '203.0.113.6', '203.0.113.7', '203.0.113.8', '203.0.113.9', '198.51.0.0/16']);
    expect(ev.analyses[0]!.relay.map((v) => [v.range, v.result, v.via ?? v.reason])).toEqual([
      ['198.51.100.0/25', 'pass', 'contoso.com: ip4:198.51.100.0/24'],
      ['203.0.113.5', 'pass', 'contoso.com: a:relay.contoso.com'],
      ['203.0.113.6', 'pass', 'contoso.com: mx'],
      ['203.0.113.7', 'pass', 'contoso.com: include:_spf.contoso.com'],
      ['203.0.113.8', 'pass', 'contoso.com: exists:%{i}.ok.contoso.com'],
      ['203.0.113.9', 'softfail', 'contoso.com: ~all'],
      ['198.51.0.0/16', 'unknown', 'contoso.com: exists:%{i}.ok.contoso.com is checked per address, not for a network'],
    ]);
  });

  it('gives permerror for an mx term whose domain has more than 10 MX hosts, a limit apart from the 10 DNS-querying terms', () => {
    const mx = Array.from({ length: 11 }, (_, i) => ({ preference: i, exchange: `mx${i}.contoso.net` }));
    const { ev } = evaluate({ 'contoso.com': { TXT: ['v=spf1 ip4:192.0.2.1 mx:contoso.net include:spf.protection.outlook.com -all'] }, 'contoso.net': { MX: mx }, 'mx0.contoso.net': { A: ['203.0.113.1'] } }, 'contoso.com', ['203.0.113.1']);
    const a = ev.analyses[0]!;
    expect(a.lookups).toBe(3); // the MX hosts' address lookups do not count toward the 10 terms
    expect(a.problems).toEqual([{ severity: 'permerror', message: 'contoso.com: "mx:contoso.net": contoso.net has 11 MX hosts, more than the 10 address lookups one mx term may make (RFC 7208 §4.6.4)' }]);
    expect(a.relay[0]).toMatchObject({ result: 'permerror', reason: 'contoso.com: mx:contoso.net: contoso.net has 11 MX hosts, more than 10 (RFC 7208 §4.6.4)' });
    // ten hosts are within the limit
    const ten = evaluate({ 'contoso.com': { TXT: ['v=spf1 mx:contoso.net include:spf.protection.outlook.com -all'] }, 'contoso.net': { MX: mx.slice(0, 10) } }).ev.analyses[0]!;
    expect(ten.problems).toEqual([]);
  });

  it('asks for the MX records an mx term names, so it can count their hosts', () => {
    const partial = evaluateSpf('contoso.com', (type, name) => (type === 'TXT' && name === 'contoso.com' ? zoneLookup({ 'contoso.com': { TXT: ['v=spf1 mx -all'] } })(type, name) : undefined));
    expect(partial.needs).toEqual([{ type: 'MX', name: 'contoso.com' }]);
  });

  it('stops at a failed nested lookup with temperror instead of guessing', () => {
    const lookup: SpfLookup = (type, name) => {
      if (name === '_spf.contoso.com') return { name, type, status: 'timeout', records: [], cnames: [], ad: false, signed: false, tries: 2, ms: 6000, error: 'no answer' };
      return zoneLookup({ 'contoso.com': { TXT: ['v=spf1 include:_spf.contoso.com -all'] } })(type, name);
    };
    const ev = evaluateSpf('contoso.com', lookup, ['192.0.2.1']);
    expect(ev.analyses[0]!.temperrors).toEqual(['TXT _spf.contoso.com: timeout (no answer)']);
    expect(ev.analyses[0]!.relay[0]!.result).toBe('temperror');
  });

  it('suggests a record with the include, the missing relay addresses and a hard fail', () => {
    expect(suggestSpfRecord('v=spf1 mx ?all', { needsInclude: true, addRanges: ['203.0.113.25'] })).toBe('v=spf1 ip4:203.0.113.25 mx include:spf.protection.outlook.com -all');
    expect(suggestSpfRecord('v=spf1 mx ~all', { needsInclude: false, addRanges: [] })).toBe('v=spf1 mx ~all');
    expect(suggestSpfRecord('v=spf1 redirect=_spf.contoso.com', { needsInclude: true, addRanges: [] })).toBe('v=spf1 include:_spf.contoso.com include:spf.protection.outlook.com -all');
    expect(suggestSpfRecord(undefined, { needsInclude: true, addRanges: [] })).toBe('v=spf1 include:spf.protection.outlook.com -all');
  });
});
