// `relaycheck run --candidate-cert FILE[,KEY]`: the next certificate, judged before it is installed.
// It becomes the candidateCertificate of every connector of the (narrowed) plan: the smart hosts'
// next certificate and the relay's next client certificate are often the same file.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CandidateCertificate, Plan } from '../types.js';

const FLAG = '--candidate-cert';

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError([{ path: FLAG, message: `cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
}

/** "cert.pem" or "cert.pem,cert.key", relative to the working folder. */
export function readCandidateFlag(spec: string, cwd = process.cwd()): CandidateCertificate {
  const [certPath, keyPath, ...rest] = spec.split(',').map((s) => s.trim());
  if (!certPath || rest.length) throw new UsageError([{ path: FLAG, message: `must be FILE or FILE,KEY (found ${JSON.stringify(spec)})` }]);
  const certFile = resolve(cwd, certPath);
  const certPem = read(certFile, 'candidate certificate');
  const blocks = certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new UsageError([{ path: FLAG, message: `${certPath} holds no PEM certificate` }]);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new UsageError([{ path: FLAG, message: `${certPath}: certificate ${i + 1} of ${blocks.length} is damaged and cannot be parsed` }]);
    }
  });
  if (!keyPath) return { certFile, certPem };
  const keyFile = resolve(cwd, keyPath);
  return { certFile, certPem, key: { value: read(keyFile, 'candidate key').replace(/\r?\n$/, ''), source: `file ${keyPath}` } };
}

/** The plan with the candidate on every connector; its key joins the secrets every output redacts. */
export function withCandidate(plan: Plan, candidate: CandidateCertificate | undefined): Plan {
  if (!candidate) return plan;
  return {
    ...plan,
    connectors: plan.connectors.map((c) => ({ ...c, candidateCertificate: candidate })),
    secrets: candidate.key ? [...plan.secrets, candidate.key.value] : plan.secrets,
  };
}
