// The plan's trust: self-signed certificates from `trust.ca` files and, with `trust.system`,
// Node's bundled root store (tls.rootCertificates: static data, no I/O). Non-self-signed
// certificates in the CA files are kept as locally known intermediates: they help name a
// missing intermediate but are not trust anchors (OpenSSL's default, no partial chains).
// Node's ~140 roots are parsed lazily, once per process, only when a chain needs them.
import { rootCertificates } from 'node:tls';
import type { Plan } from '../types.js';
import { parseCertificate, pemBlocks, selfSigned, type Certificate } from './certificate.js';

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

let systemIndex: Index<TrustAnchor> | undefined;
let systemRootsSource: () => readonly string[] = () => rootCertificates;

/** Tests and embedders can replace the system root list (PEM strings). Resets the parsed index. */
export function setSystemRoots(source: () => readonly string[]): void {
  systemRootsSource = source;
  systemIndex = undefined;
}

/** Node's root store as anchors: parsed on first use, then kept for the process. */
export function systemAnchors(): Index<TrustAnchor> {
  if (!systemIndex) {
    const anchors: TrustAnchor[] = [];
    for (const pem of systemRootsSource()) {
      for (const b64 of pemBlocks(pem)) {
        try {
          anchors.push({ cert: parseCertificate(b64), source: 'system' });
        } catch {
          // a root Node ships but this parser cannot read is simply not an anchor here
        }
      }
    }
    systemIndex = index(anchors);
  }
  return systemIndex;
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
      return trust.system ? [...own, ...(systemAnchors().byName.get(subjectKey) ?? [])] : own;
    },
    anchorFor(cert) {
      const key = `${cert.subjectKey}|${cert.spkiSha256}`;
      return plan.byKey.get(key) ?? (trust.system ? systemAnchors().byKey.get(key) : undefined);
    },
    intermediatesNamed(subjectKey) {
      return local.byName.get(subjectKey) ?? [];
    },
    inSystemStore(cert) {
      return systemAnchors().byKey.has(`${cert.subjectKey}|${cert.spkiSha256}`);
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
