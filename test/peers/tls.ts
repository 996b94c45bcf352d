// Throw-away certificates for peers, made with the openssl CLI (the suite's own certificate
// cases are made with @peculiar/x509; these are only for peers that need *some* certificate).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable, runOk } from './proc.js';

export interface PemPair {
  keyFile: string;
  certFile: string;
}

/** A self-signed RSA-2048 certificate for `cn` (also as DNS subjectAltName), valid for 2 days.
 * Files `<dir>/<basename>.key|.crt`; reused if both already exist. */
export async function selfSignedCert(dir: string, cn: string, basename = cn): Promise<PemPair> {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, `${basename}.key`);
  const certFile = join(dir, `${basename}.crt`);
  if (existsSync(keyFile) && existsSync(certFile)) return { keyFile, certFile };
  await runOk(
    requireExecutable('openssl'),
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-keyout', keyFile, '-out', certFile],
    'openssl req',
  );
  return { keyFile, certFile };
}
