// Verifies DANE for each smart host (RFC 7672): TLSA records at _25._tcp.<host>, whether the answer was
// DNSSEC-validated (AD bit), and whether a usable record (usage 2 or 3) matches the certificate the SMTP session saw.
import { defineCheck } from '../../src/check-kit/define.js';
import { answerEvidence, describeAnswer, lookupFailed, recordsOf } from '../../src/dns/answer.js';
import { ipFamily } from '../../src/dns/ip.js';
import { DNS_PROBES, type TlsaProbeData } from '../../src/evidence/dns-probes.js';
import { describeTlsa, matchTlsa, tlsaRecordFor } from '../../src/dns/tlsa.js';
import { SMTP_SESSION_PROBE, type SmtpSession } from '../../src/evidence/smtp.js';

export default defineCheck({
  id: 'dns.dane',
  title: 'DANE TLSA records match the smart host certificate',
  failureTitle: 'DANE TLSA records do not match the smart host certificate',
  severity: 'medium',
  scope: 'endpoint',
  description: 'For smart hosts named by FQDN: TLSA at _25._tcp.<host>, DNSSEC (AD bit or signatures), and a usage 2/3 record that matches the certificate the smart host presents. No TLSA: skipped (DANE is optional).',
  remediation: 'Publish TLSA records for the current certificate (3 1 1 is the usual choice) in a DNSSEC-signed zone, and keep the old record during certificate rollovers.',
  requires: [DNS_PROBES.tlsa, SMTP_SESSION_PROBE],
  appliesTo: (s) => s.scope === 'endpoint' && s.endpoint.role === 'smart-host' && ipFamily(s.endpoint.host) === 0,
  evaluate({ probes }) {
    const t = probes[DNS_PROBES.tlsa] as TlsaProbeData;
    const session = probes[SMTP_SESSION_PROBE] as SmtpSession | undefined;
    const evidence = { tlsa: answerEvidence(t.answer) };
    if (lookupFailed(t.answer)) {
      return {
        status: 'error',
        message: `could not decide: TLSA ${t.name} ${describeAnswer(t.answer)}${t.answer.status === 'servfail' ? '; with a validating resolver, SERVFAIL for a signed zone usually means broken DNSSEC signatures, which makes DANE senders defer mail' : ''}`,
        remediation: 'Check the resolvers in dns.servers, and the zone\'s DNSSEC signatures (e.g. with a DNSSEC debugger).',
        evidence,
      };
    }
    const records = recordsOf(t.answer, 'TLSA');
    if (records.length === 0) {
      return { status: 'skipped', message: `no TLSA record at ${t.name} (${t.answer.status.toUpperCase()}): DANE is not in use for this smart host. DANE is optional; Exchange Online then relies on the connector's TLS settings.`, evidence };
    }
    const chain = session?.tls?.peerChain ?? [];
    if (!chain.length) {
      // RFC 7672 §2.2: with usable TLSA records, a DANE sender requires STARTTLS and defers
      // the mail when the server does not offer it or the handshake fails.
      const noTls = session?.ehlo && (!session.starttls?.offered || session.failure?.phase === 'starttls' || session.failure?.phase === 'tls-handshake');
      if (noTls) {
        return {
          status: 'fail',
          message: `${records.length} TLSA record(s) at ${t.name}, but the smart host ${session!.starttls?.offered ? 'failed the TLS handshake' : 'does not offer STARTTLS'}: DANE senders (Exchange Online with SmtpDaneMode Mandatory among them) defer mail to it (RFC 7672 §2.2)`,
          remediation: 'Enable STARTTLS on the smart host with the certificate the TLSA record describes, or withdraw the TLSA records.',
          evidence,
        };
      }
      return { status: 'error', message: `could not decide: ${records.length} TLSA record(s) at ${t.name}, but the SMTP session ${session?.failure ? `stopped (${session.failure.phase}: ${session.failure.message})` : 'saw no certificate'}`, evidence };
    }
    const matches = matchTlsa(records, chain);
    const leafRecord = (() => {
      try {
        return tlsaRecordFor(Buffer.from(chain[0]!, 'base64'));
      } catch {
        return undefined;
      }
    })();
    const publish = leafRecord ? `Publish "${t.name}. 3600 IN TLSA ${leafRecord}" for the certificate the host presents now (keep the old record until every host uses the new certificate).` : undefined;
    const usable = matches.filter((m) => m.usable);
    if (!usable.length) {
      return { status: 'fail', message: `no usable TLSA record at ${t.name}: ${matches.map((m) => `${describeTlsa(m.record)}: ${m.reason}`).join('; ')}`, ...(publish ? { remediation: publish } : {}), evidence };
    }
    const matched = usable.find((m) => m.matched);
    if (!matched) {
      return {
        status: 'fail',
        message: `none of the ${usable.length} usable TLSA record(s) at ${t.name} matches the certificate ${t.host} presented: ${usable.map((m) => describeTlsa(m.record)).join('; ')}`,
        ...(publish ? { remediation: publish } : {}),
        exchangeOnline: 'With DANE on the outbound connector (SmtpDaneMode) and a DNSSEC-signed zone, Exchange Online defers mail to this smart host: 4.7.323 tlsa-invalid: The domain failed DANE validation.',
        evidence,
      };
    }
    const which = `TLSA ${describeTlsa(matched.record)} matches the ${matched.certIndex === 0 ? 'certificate' : `chain certificate #${matched.certIndex}`} ${t.host} presented`;
    if (t.answer.ad) return { status: 'pass', message: `${which}; the answer was DNSSEC-validated (AD)`, evidence };
    if (t.answer.signed) {
      return { status: 'pass', message: `${which}; the zone is signed (RRSIG served), but the resolver ${t.answer.server ?? ''} did not validate it (AD clear) and relaycheck does not verify signatures: use a validating resolver in dns.servers to confirm`, evidence };
    }
    return {
      status: 'warn',
      message: `${which}, but the answer is not DNSSEC-signed (no AD, no RRSIG): senders ignore TLSA records without DNSSEC (RFC 7672 §2.2), so DANE does not protect this host`,
      remediation: 'Sign the zone with DNSSEC (and publish the DS record at the parent), or remove the TLSA records.',
      evidence,
    };
  },
});
