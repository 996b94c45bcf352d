// Certification path building (RFC 5280 §6, simplified): from the leaf the server sent, find each
// issuer by name among the plan's trust anchors, then the certificates the server sent, then the
// intermediates known only from the plan's CA files, and verify every signature on the way.
// Nothing is fetched (no AIA): Exchange Online does not fetch missing intermediates either.
import { selfSigned, signedBy, type Certificate } from './certificate.js';
import type { TrustAnchor, TrustStore } from './trust.js';

export interface PathStep {
  cert: Certificate;
  /** where this certificate came from */
  from: 'sent' | 'anchor' | 'plan-file';
  /** position in the sent chain (from 'sent', or an anchor the server also sent) */
  index?: number;
  /** plan CA file (from 'plan-file') */
  file?: string;
}

export type PathEnd =
  /** the last step is a trust anchor of the plan */
  | { kind: 'anchor'; anchor: TrustAnchor }
  /** the last step is self-signed but not a trust anchor (an unknown root, or a self-signed leaf) */
  | { kind: 'untrusted-root'; cert: Certificate }
  /** nobody known issued the last step */
  | { kind: 'issuer-missing'; cert: Certificate; issuer: string }
  /** a certificate with the issuer's name was found, but its key does not verify the signature */
  | { kind: 'bad-signature'; cert: Certificate; candidate: Certificate; candidateFrom: PathStep['from'] }
  | { kind: 'too-long'; cert: Certificate };

export interface ChainAnalysis {
  leaf: Certificate;
  /** leaf first, as far as it could be built */
  path: PathStep[];
  end: PathEnd;
  /** steps the path needed that the server did not send (found in the plan's CA files) */
  notSent: PathStep[];
  /** sent certificates that are not on the path (and are not an alternative issuer of one) */
  unrelated: { cert: Certificate; index: number }[];
  /** the sent certificates on the path do not appear in path order */
  outOfOrder: boolean;
  /** issuers on the path (not anchors) without basicConstraints cA */
  notCa: Certificate[];
  /** the leaf is self-signed */
  leafSelfSigned: boolean;
  /** the server also sent the root the path ends at */
  rootSent: boolean;
}

const MAX_DEPTH = 10;

/** Prefer the candidate whose subjectKeyIdentifier equals the child's authorityKeyIdentifier. */
function byKeyId<T extends { cert: Certificate }>(child: Certificate, list: T[]): T[] {
  if (!child.authorityKeyId) return list;
  return [...list].sort((a, b) => Number(b.cert.subjectKeyId === child.authorityKeyId) - Number(a.cert.subjectKeyId === child.authorityKeyId));
}

export function analyzeChain(sent: Certificate[], store: TrustStore): ChainAnalysis {
  if (sent.length === 0) throw new Error('analyzeChain needs at least the leaf');
  const leaf = sent[0]!;
  const path: PathStep[] = [{ cert: leaf, from: 'sent', index: 0 }];
  const used = new Set<number>([0]);
  const notSent: PathStep[] = [];
  const notCa: Certificate[] = [];
  let end: PathEnd | undefined;

  while (!end) {
    const cur = path[path.length - 1]!;
    const cert = cur.cert;
    if (cur.from !== 'anchor') {
      const anchor = store.anchorFor(cert);
      if (anchor) {
        end = { kind: 'anchor', anchor };
        break;
      }
    }
    if (cert.selfIssued && selfSigned(cert)) {
      end = { kind: 'untrusted-root', cert };
      break;
    }
    if (path.length >= MAX_DEPTH) {
      end = { kind: 'too-long', cert };
      break;
    }
    let badCandidate: { cert: Certificate; from: PathStep['from'] } | undefined;
    const tryList = <T extends { cert: Certificate }>(list: T[], from: PathStep['from']): T | undefined => {
      for (const c of byKeyId(cert, list)) {
        if (path.some((s) => s.cert === c.cert)) continue; // no loops
        if (signedBy(cert, c.cert)) return c;
        badCandidate ??= { cert: c.cert, from };
      }
      return undefined;
    };
    // 1. a trust anchor: the shortest trusted path wins (like current validators)
    const anchor = tryList(store.anchorsNamed(cert.issuerKey), 'anchor');
    if (anchor) {
      // the server may have sent this very root too
      const sentIndex = sent.findIndex((s, i) => !used.has(i) && s.subjectKey === anchor.cert.subjectKey && s.spkiSha256 === anchor.cert.spkiSha256);
      if (sentIndex >= 0) used.add(sentIndex);
      path.push({ cert: anchor.cert, from: 'anchor', ...(sentIndex >= 0 ? { index: sentIndex } : {}) });
      end = { kind: 'anchor', anchor };
      break;
    }
    // 2. a certificate the server sent
    const sentCandidates = sent.map((c, index) => ({ cert: c, index })).filter((c) => !used.has(c.index) && c.cert.subjectKey === cert.issuerKey);
    const fromSent = tryList(sentCandidates, 'sent');
    if (fromSent) {
      used.add(fromSent.index);
      path.push({ cert: fromSent.cert, from: 'sent', index: fromSent.index });
      if (!fromSent.cert.isCa && !selfSigned(fromSent.cert)) notCa.push(fromSent.cert);
      continue;
    }
    // 3. an intermediate only the plan's CA files know
    const local = tryList(store.intermediatesNamed(cert.issuerKey), 'plan-file');
    if (local) {
      const step: PathStep = { cert: local.cert, from: 'plan-file', file: local.file };
      path.push(step);
      notSent.push(step);
      if (!local.cert.isCa) notCa.push(local.cert);
      continue;
    }
    const bad = badCandidate as { cert: Certificate; from: PathStep['from'] } | undefined;
    end = bad ? { kind: 'bad-signature', cert, candidate: bad.cert, candidateFrom: bad.from } : { kind: 'issuer-missing', cert, issuer: cert.issuer };
  }

  const onPath = new Set(path.map((s) => s.cert));
  const issuerKeys = new Set(path.map((s) => s.cert.issuerKey));
  const unrelated: ChainAnalysis['unrelated'] = [];
  sent.forEach((cert, index) => {
    if (used.has(index) || onPath.has(cert)) return;
    if (issuerKeys.has(cert.subjectKey)) return; // an alternative issuer (cross-certificate), not unrelated
    unrelated.push({ cert, index });
  });
  const sentOrder = path.filter((s) => s.index !== undefined).map((s) => s.index!);
  const outOfOrder = sentOrder.some((v, i) => i > 0 && v < sentOrder[i - 1]!);
  const last = path[path.length - 1]!;
  const rootSent = end.kind === 'anchor' && path.length > 1 && last.index !== undefined;
  return {
    leaf,
    path,
    end,
    notSent,
    unrelated,
    outOfOrder,
    notCa,
    leafSelfSigned: leaf.selfIssued && selfSigned(leaf),
    rootSent,
  };
}

/** "CN=a → CN=b → CN=root" */
export function pathText(path: PathStep[]): string {
  return path.map((s) => s.cert.label).join(' → ');
}
