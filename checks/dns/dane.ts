// Verifies DANE for each smart host (RFC 7672): TLSA records at _25._tcp.<host>, whether the answer was
// DNSSEC-validated (the AD bit of a resolver the plan marks validating), and whether a usable record (usage 2 or 3)
// matches the certificate the SMTP session saw; judged by the outbound connector's SmtpDaneMode (Mandatory: 5.7.321-325).
import { defineCheck } from '../../src/check-kit/define.js';
import { replyRow } from '../../src/exo/reply-table.js';
import type { FromOffice365Connector, Plan, Subject } from '../../src/types.js';
import { answerEvidence, describeAnswer, lookupFailed, recordsOf } from '../../src/dns/answer.js';
import { ipFamily } from '../../src/dns/ip.js';
import { DNS_PROBES, type TlsaProbeData } from '../../src/evidence/dns-probes.js';
import { describeTlsa, matchTlsa, tlsaRecordFor } from '../../src/dns/tlsa.js';
import { SMTP_SESSION_PROBE, type SmtpSession } from '../../src/evidence/smtp.js';

type DaneMode = FromOffice365Connector['smtpDaneMode'];

function modeOf(subject: Subject): DaneMode {
  return subject.scope === 'endpoint' && subject.entry.kind === 'connector' && subject.entry.direction === 'from-office365' ? subject.entry.smtpDaneMode : undefined;
}

/** What Exchange Online does under Mandatory DANE, with the NDR it gives (from the reply table). */
function heldWith(id: string): string {
  const row = replyRow(id)!;
  return `With SmtpDaneMode Mandatory Exchange Online holds the mail for this smart host and returns it when the retries run out: ${row.wording}`;
}

/** DNSSEC as the plan lets us know it: the AD bit counts only from a resolver marked validating. */
function dnssecOf(plan: Plan, answer: TlsaProbeData['answer']): 'validated' | 'insecure' | 'unknown' {
  if (!plan.dns.validating) return 'unknown';
  return answer.ad ? 'validated' : 'insecure';
}

const VALIDATING_HINT = 'List a DNSSEC-validating resolver in dns.servers and set dns.validating: true, so its AD bit tells whether the TLSA records are DNSSEC-signed.';

export default defineCheck({
  id: 'dns.dane',
  title: 'DANE TLSA records match the smart host certificate',
  failureTitle: 'DANE TLSA records do not match the smart host certificate',
  severity: 'medium',
  scope: 'endpoint',
  description:
    'For smart hosts named by FQDN: TLSA at _25._tcp.<host>, DNSSEC (the AD bit of a resolver marked dns.validating; else unknown), and a usage 2/3 record that matches the certificate the smart host presents. No TLSA: skipped, unless the connector has smtpDaneMode Mandatory (then no TLSA, no DNSSEC or an IP-literal smart host fails).',
  remediation: 'Publish TLSA records for the current certificate (3 1 1 is the usual choice) in a DNSSEC-signed zone, and keep the old record during certificate rollovers.',
  requires: [DNS_PROBES.tlsa, SMTP_SESSION_PROBE],
  appliesTo: (s) => s.scope === 'endpoint' && s.endpoint.role === 'smart-host' && (ipFamily(s.endpoint.host) === 0 || modeOf(s) === 'Mandatory'),
  evaluate({ subject, plan, probes }) {
    const mode = modeOf(subject);
    const mandatory = mode === 'Mandatory';
    if (subject.scope === 'endpoint' && ipFamily(subject.endpoint.host) !== 0) {
      return {
        status: 'fail',
        message: `smtpDaneMode is Mandatory, but the smart host ${subject.endpoint.host} is an IP address: DANE looks up TLSA records at _25._tcp.<name>, so an IP literal can never pass it`,
        remediation: 'Name the smart host by an FQDN in a DNSSEC-signed zone with TLSA records for its certificate, or set SmtpDaneMode to Opportunistic for this connector.',
        exchangeOnline: heldWith('5.7.323'),
      };
    }
    const t = probes[DNS_PROBES.tlsa] as TlsaProbeData;
    const session = probes[SMTP_SESSION_PROBE] as SmtpSession | undefined;
    const evidence = { tlsa: answerEvidence(t.answer) };
    if (lookupFailed(t.answer)) {
      return {
        status: 'error',
        message: `could not decide: TLSA ${t.name} ${describeAnswer(t.answer)}${t.answer.status === 'servfail' ? `; ${plan.dns.validating ? 'the resolver is marked validating, and' : 'with a validating resolver,'} SERVFAIL for a signed zone usually means broken DNSSEC signatures, which makes DANE senders defer mail` : ''}`,
        remediation: 'Check the resolvers in dns.servers, and the zone\'s DNSSEC signatures (e.g. with a DNSSEC debugger).',
        ...(t.answer.status === 'servfail' && plan.dns.validating && mandatory ? { exchangeOnline: heldWith('5.7.324') } : {}),
        evidence,
      };
    }
    const records = recordsOf(t.answer, 'TLSA');
    if (records.length === 0) {
      if (mandatory) {
        return {
          status: 'fail',
          message: `smtpDaneMode is Mandatory, but there is no TLSA record at ${t.name} (${t.answer.status.toUpperCase()})`,
          remediation: `Publish a TLSA record for the smart host's certificate at ${t.name} in a DNSSEC-signed zone (3 1 1 is the usual choice), or set SmtpDaneMode to Opportunistic.`,
          exchangeOnline: heldWith('5.7.323'),
          evidence,
        };
      }
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
          ...(mandatory ? { exchangeOnline: heldWith('5.7.321') } : {}),
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
      return { status: 'fail', message: `no usable TLSA record at ${t.name}: ${matches.map((m) => `${describeTlsa(m.record)}: ${m.reason}`).join('; ')}`, ...(publish ? { remediation: publish } : {}), ...(mandatory ? { exchangeOnline: heldWith('5.7.323') } : {}), evidence };
    }
    const matched = usable.find((m) => m.matched);
    if (!matched) {
      return {
        status: 'fail',
        message: `none of the ${usable.length} usable TLSA record(s) at ${t.name} matches the certificate ${t.host} presented: ${usable.map((m) => describeTlsa(m.record)).join('; ')}`,
        ...(publish ? { remediation: publish } : {}),
        exchangeOnline: mandatory ? heldWith('5.7.323') : 'With DANE on the outbound connector (SmtpDaneMode) and a DNSSEC-signed zone, Exchange Online defers mail to this smart host: 4.7.323 tlsa-invalid: The domain failed DANE validation.',
        evidence,
      };
    }
    const which = `TLSA ${describeTlsa(matched.record)} matches the ${matched.certIndex === 0 ? 'certificate' : `chain certificate #${matched.certIndex}`} ${t.host} presented`;
    const dnssec = dnssecOf(plan, t.answer);
    const resolver = t.answer.server ?? 'the resolver';
    if (dnssec === 'validated') return { status: 'pass', message: `${which}; the answer was DNSSEC-validated (AD from ${resolver}, marked validating)`, evidence: { ...evidence, dnssec } };
    if (dnssec === 'insecure') {
      return {
        status: mandatory ? 'fail' : 'warn',
        message: `${which}, but the validating resolver ${resolver} did not vouch for it (AD clear): the zone is not DNSSEC-signed or its chain of trust is broken, and senders ignore TLSA records without DNSSEC (RFC 7672 §2.2)${mandatory ? '; smtpDaneMode is Mandatory' : ''}`,
        remediation: 'Sign the zone with DNSSEC (and publish the DS record at the parent), or remove the TLSA records.',
        ...(mandatory ? { exchangeOnline: heldWith('5.7.323') } : {}),
        evidence: { ...evidence, dnssec },
      };
    }
    // Not marked validating: the AD bit proves nothing, so DNSSEC is unknown — never guessed.
    const seen = t.answer.ad ? 'the answer carried AD' : t.answer.signed ? 'signatures (RRSIG) were served' : 'no AD and no signatures (RRSIG) were seen';
    if (mandatory || (!t.answer.ad && !t.answer.signed)) {
      return {
        status: 'warn',
        message: `${which}; DNSSEC unknown: dns.validating is not set, so relaycheck does not take ${resolver}'s word for it (${seen})${mandatory ? '; with smtpDaneMode Mandatory, Exchange Online delivers only if the TLSA records are DNSSEC-signed' : ''}`,
        remediation: VALIDATING_HINT,
        evidence: { ...evidence, dnssec },
      };
    }
    return { status: 'pass', message: `${which}; DNSSEC unknown (${seen}, but dns.validating is not set, so it is not taken as proof)`, evidence: { ...evidence, dnssec } };
  },
});
