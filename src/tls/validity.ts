// Validity-period observations (RFC 5280 §4.1.2.5) shared by tls.certificate-expiry and
// tls.client-certificate: fail outside notBefore..notAfter, warn within `warnDays` of notAfter.
import type { Observation } from '../check-kit/define.js';
import { isoSeconds, type Certificate } from './certificate.js';
import { daysText } from './context.js';

const DAY = 86_400_000;

/** Validity observations for one certificate; `who` is "" for the leaf, else e.g. "intermediate CN=…". `fix` is an imperative sentence without the final period. */
export function validityObservations(cert: Certificate, who: string, now: Date, warnDays: number, fix: string): Observation[] {
  const t = now.getTime();
  const subject = who ? `${who} ` : '';
  const cap = (s: string) => (who ? s : s[0]!.toUpperCase() + s.slice(1));
  if (t < cert.notBefore.getTime()) {
    return [{ status: 'fail', message: cap(`${subject}not valid until ${isoSeconds(cert.notBefore)} (in ${daysText(cert.notBefore.getTime() - t)})`), remediation: `Check the certificate's notBefore and the clocks; ${fix[0]!.toLowerCase()}${fix.slice(1)}.` }];
  }
  if (t > cert.notAfter.getTime()) {
    return [{ status: 'fail', message: cap(`${subject}expired ${daysText(t - cert.notAfter.getTime())} ago (notAfter ${isoSeconds(cert.notAfter)})`), remediation: `${fix}.` }];
  }
  const left = cert.notAfter.getTime() - t;
  if (left < warnDays * DAY) {
    return [{ status: 'warn', message: cap(`${subject}expires in ${daysText(left)} (notAfter ${isoSeconds(cert.notAfter)})`), remediation: `${fix} before ${isoSeconds(cert.notAfter)}.` }];
  }
  return [];
}

