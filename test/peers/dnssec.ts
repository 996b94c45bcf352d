// DNSSEC-signed test zones, made with ldns (Debian ldnsutils): a KSK and a ZSK per zone from
// ldns-keygen, the zone signed by ldns-signzone. The KSK's DS record is the trust anchor a
// validating resolver (test/peers/unbound.ts) is given, so no parent zone is needed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { requireExecutable } from './proc.js';

export interface SignedZone {
  /** the zone apex, e.g. 'signed.example' */
  name: string;
  /** the signed zone text (RFC 1035 master format), for nsd */
  text: string;
  /** the KSK's DS record ("signed.example. IN DS 12345 13 2 …"): the trust anchor */
  ds: string;
}

export interface SignOptions {
  /** the folder for keys and zone files */
  dir: string;
  name: string;
  /** the unsigned zone text; $ORIGIN is added */
  text: string;
  /** signature validity, YYYYMMDDhhmmss; defaults: from an hour ago for 30 days. A past window makes a bogus zone. */
  inception?: string;
  expiration?: string;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

function keygen(dir: string, zone: string, ksk: boolean): string {
  const args = ['-a', 'ECDSAP256SHA256', ...(ksk ? ['-k'] : []), zone];
  return execFileSync(requireExecutable('ldns-keygen'), args, { cwd: dir, encoding: 'utf8', timeout: 30_000 }).trim();
}

/** Signs a zone with a fresh KSK and ZSK (ECDSA P-256, algorithm 13), NSEC. */
export function signZone(opts: SignOptions): SignedZone {
  const dir = resolve(opts.dir, opts.name);
  mkdirSync(dir, { recursive: true });
  const apex = `${opts.name.replace(/\.$/, '')}.`;
  const file = join(dir, `${opts.name}.zone`);
  writeFileSync(file, `$ORIGIN ${apex}\n${opts.text}\n`);
  const ksk = keygen(dir, opts.name, true);
  const zsk = keygen(dir, opts.name, false);
  const now = Date.now();
  const inception = opts.inception ?? stamp(new Date(now - 3_600_000));
  const expiration = opts.expiration ?? stamp(new Date(now + 30 * 86_400_000));
  execFileSync(requireExecutable('ldns-signzone'), ['-o', apex, '-i', inception, '-e', expiration, file, ksk, zsk], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  const ds = readFileSync(join(dir, `${ksk}.ds`), 'utf8').trim();
  return { name: opts.name, text: readFileSync(`${file}.signed`, 'utf8'), ds };
}
