// The plan's trust: self-signed certificates from `trust.ca` files and, with `trust.system`,
// Node's bundled root store (tls.rootCertificates: static data, no I/O). Non-self-signed
// certificates in the CA files are kept as locally known intermediates: they help name a
// missing intermediate but are not trust anchors (OpenSSL's default, no partial chains).
// Node's ~140 roots are searched by key or indexed by subject once per process, and parsed only
// when a chain needs them.
import { rootCertificates } from 'node:tls';
import type { Plan } from '../types.js';
import { parseCertificate, pemBlocks, selfSigned, subjectKeyOf, type Certificate } from './certificate.js';

export interface TrustAnchor {
  cert: Certificate;
  source: 'system' | 'plan';
  /** the plan CA file it came from (source 'plan') */
  file?: string;
}

export interface LocalIntermediate {
  cert: Certificate;
  file: string;
}

export interface TrustStore {
  readonly system: boolean;
  readonly files: string[];
  /** anchors whose subject is `subjectKey` (Certificate.subjectKey / issuerKey) */
  anchorsNamed(subjectKey: string): TrustAnchor[];
  /** the anchor this very certificate is (same subject and key), if any */
  anchorFor(cert: Certificate): TrustAnchor | undefined;
  /** non-self-signed certificates from the plan's CA files with this subject */
  intermediatesNamed(subjectKey: string): LocalIntermediate[];
  /** the certificate (same subject and key) is in Node's public root store, whatever the plan says */
  inSystemStore(cert: Certificate): boolean;
  /** "Node's root store and plan CA file ./pki/root.pem" */
  describe(): string;
  /** certificates in the plan's CA files that could not be parsed */
  readonly errors: { file: string; message: string }[];
}

interface Index<T> {
  byName: Map<string, T[]>;
  byKey: Map<string, T>; // subjectKey + spki
}

function index<T extends { cert: Certificate }>(items: T[]): Index<T> {
  const byName = new Map<string, T[]>();
  const byKey = new Map<string, T>();
  for (const item of items) {
    const list = byName.get(item.cert.subjectKey) ?? [];
    list.push(item);
    byName.set(item.cert.subjectKey, list);
    byKey.set(`${item.cert.subjectKey}|${item.cert.spkiSha256}`, item);
  }
  return { byName, byKey };
}

interface SystemRoot {
  base64: string;
  /** parsed on first use; null when this parser cannot read it (then it is simply not an anchor here) */
  anchor?: TrustAnchor | null;
}

let systemIndex: Map<string, SystemRoot[]> | undefined;
let systemBlob: { der: Buffer; starts: number[] } | undefined;
let systemRootsSource: () => readonly string[] = () => rootCertificates;

/** Tests and embedders can replace the system root list (PEM strings). Resets the indexes. */
export function setSystemRoots(source: () => readonly string[]): void {
  systemRootsSource = source;
  systemIndex = undefined;
  systemBlob = undefined;
}

/** Every system root's DER, end to end in one buffer, with where each begins. */
function systemRootBlob(): NonNullable<typeof systemBlob> {
  if (!systemBlob) {
    const parts: Buffer[] = [];
    const starts: number[] = [];
    let at = 0;
    for (const pem of systemRootsSource()) {
      for (const der of pemDers(pem)) {
        starts.push(at);
        parts.push(der);
        at += der.length;
      }
    }
    starts.push(at);
    systemBlob = { der: Buffer.concat(parts), starts };
  }
  return systemBlob;
}

/** The DER of each certificate in a PEM text; one block (as Node's roots come) without a regex. */
function pemDers(pem: string): Buffer[] {
  const begin = pem.indexOf('-----BEGIN CERTIFICATE-----');
  const end = pem.indexOf('-----END CERTIFICATE-----');
  if (begin >= 0 && end > begin && pem.indexOf('-----BEGIN', begin + 1) < 0) {
    return [Buffer.from(pem.slice(begin + 27, end), 'base64')]; // base64 decoding skips the line breaks
  }
  return pemBlocks(pem).map((b64) => Buffer.from(b64, 'base64'));
}

/**
 * The system roots (base64 DER) that hold these SubjectPublicKeyInfo bytes: one native byte
 * search over all of them, so telling a self-signed server certificate is no root parses nothing.
 */
function systemRootsWithKey(spki: Buffer): string[] {
  const { der, starts } = systemRootBlob();
  const out: string[] = [];
  let last = -1;
  for (let at = der.indexOf(spki); at >= 0; at = der.indexOf(spki, at + 1)) {
    let i = starts.length - 2;
    while (starts[i]! > at) i--;
    if (i !== last) out.push(der.subarray(starts[i], starts[i + 1]).toString('base64'));
    last = i;
  }
  return out;
}

/**
 * Node's root store indexed by subject name: built on first use, then kept for the process. Only
 * the subject is read here; a root is parsed in full when a chain reaches its name.
 */
export function systemRootIndex(): Map<string, SystemRoot[]> {
  if (!systemIndex) {
    systemIndex = new Map();
    for (const pem of systemRootsSource()) {
      for (const der of pemDers(pem)) {
        let key: string;
        try {
          key = subjectKeyOf(der);
        } catch {
          continue; // a root this parser cannot read is not an anchor here
        }
        const list = systemIndex.get(key) ?? [];
        list.push({ base64: der.toString('base64') });
        systemIndex.set(key, list);
      }
    }
  }
  return systemIndex;
}

/** The system roots named `subjectKey`, parsed. */
function systemAnchorsNamed(subjectKey: string): TrustAnchor[] {
  const out: TrustAnchor[] = [];
  for (const root of systemRootIndex().get(subjectKey) ?? []) {
    if (root.anchor === undefined) {
      try {
        root.anchor = { cert: parseCertificate(root.base64), source: 'system' };
      } catch {
        root.anchor = null;
      }
    }
    if (root.anchor) out.push(root.anchor);
  }
  return out;
}

/** The system root that is this very certificate (same subject and key), if any. */
function systemAnchorFor(cert: Certificate): TrustAnchor | undefined {
  for (const base64 of systemRootsWithKey(cert.spki)) {
    let root: Certificate;
    try {
      root = parseCertificate(base64);
    } catch {
      continue;
    }
    if (root.subjectKey === cert.subjectKey && root.spkiSha256 === cert.spkiSha256) return { cert: root, source: 'system' };
  }
  return undefined;
}

export function createTrustStore(trust: Plan['trust']): TrustStore {
  const anchors: TrustAnchor[] = [];
  const intermediates: LocalIntermediate[] = [];
  const errors: { file: string; message: string }[] = [];
  for (const { file, pem } of trust.ca) {
    for (const b64 of pemBlocks(pem)) {
      try {
        const cert = parseCertificate(b64);
        if (cert.selfIssued && selfSigned(cert)) anchors.push({ cert, source: 'plan', file });
        else intermediates.push({ cert, file });
      } catch (err) {
        errors.push({ file, message: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  const plan = index(anchors);
  const local = index(intermediates);
  const files = trust.ca.map((c) => c.file);
  return {
    system: trust.system,
    files,
    errors,
    anchorsNamed(subjectKey) {
      const own = plan.byName.get(subjectKey) ?? [];
      return trust.system ? [...own, ...systemAnchorsNamed(subjectKey)] : own;
    },
    anchorFor(cert) {
      const key = `${cert.subjectKey}|${cert.spkiSha256}`;
      return plan.byKey.get(key) ?? (trust.system ? systemAnchorFor(cert) : undefined);
    },
    intermediatesNamed(subjectKey) {
      return local.byName.get(subjectKey) ?? [];
    },
    inSystemStore(cert) {
      return systemAnchorFor(cert) !== undefined;
    },
    describe() {
      const parts: string[] = [];
      if (trust.system) parts.push("Node's root store");
      if (files.length) parts.push(`plan CA file${files.length > 1 ? 's' : ''} ${files.map(baseName).join(', ')}`);
      return parts.join(' and ') || 'no trust anchors';
    },
  };
}

const stores = new WeakMap<Plan['trust'], TrustStore>();

/** The plan's trust store, built once per plan (keyed by the plan's `trust` object). */
export function trustStoreFor(plan: Plan): TrustStore {
  let store = stores.get(plan.trust);
  if (!store) {
    store = createTrustStore(plan.trust);
    stores.set(plan.trust, store);
  }
  return store;
}

export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
