// Verifies that the endpoint accepts a TCP connection and greets with 220 within the timeout
// (RFC 5321 §3.1, §4.3.1). Exchange Online reports a smart host it cannot reach as 450 4.4.316 / 4.4.318.
import { defineCheck } from '../../src/check-kit/define.js';
import { endpointOf, sessionOf } from '../../src/check-kit/session.js';
import { EXO_SENDING_RANGES } from '../../src/exo/ranges.js';
import { formatHostPort } from '../../src/plan/address.js';
import type { SmtpFailure, SmtpSession } from '../../src/evidence/smtp.js';
import type { Endpoint, Finding } from '../../src/types.js';

function where(session: SmtpSession, endpoint: Endpoint): string {
  return session.address ? formatHostPort({ host: session.address, port: endpoint.port }) : endpoint.key;
}

/** Could not connect at all (DNS, refused, unreachable, TCP timeout) vs connected but no proper greeting. */
function noConnection(f: SmtpFailure): boolean {
  return f.phase === 'connect';
}

function advice(f: SmtpFailure, endpoint: Endpoint, session: SmtpSession): Pick<Finding, 'remediation' | 'exchangeOnline'> {
  const target = where(session, endpoint);
  if (endpoint.role === 'smart-host') {
    if (f.kind === 'dns') {
      return {
        remediation: `Publish an A (or AAAA) record for ${endpoint.host}, or list the smart host by IP address in the connector's SmartHosts.`,
        exchangeOnline: 'Exchange Online cannot resolve the smart host either: messages are deferred, then returned after the retry period.',
      };
    }
    if (noConnection(f)) {
      return {
        remediation: `Allow inbound TCP 25 from the Exchange Online ranges (${EXO_SENDING_RANGES.join(', ')}) to ${target} on the firewall, and make sure the MTA listens on that address. Exchange Online connects to smart hosts on port 25 only.`,
        exchangeOnline: 'Exchange Online cannot connect: the message trace shows 450 4.4.316 Connection refused; messages are deferred and returned after the retry period.',
      };
    }
    return {
      remediation: `The smart host accepts TCP but does not greet with 220: check the MTA on ${target} (overloaded, a connection limit, a block on Exchange Online's addresses) and any firewall doing SMTP inspection in front of it.`,
      exchangeOnline: 'Exchange Online sees the session end without a usable greeting: 450 4.4.318 Connection was closed abruptly; messages are deferred and returned after the retry period.',
    };
  }
  if (endpoint.role === 'to-office365') {
    if (f.kind === 'dns') {
      return { remediation: `Check the tenant's MX host name (e.g. contoso-com.mail.protection.outlook.com, or the newer …mx.microsoft form) and the relay's DNS resolver: ${endpoint.host} does not resolve.` };
    }
    return {
      remediation: `Allow outbound TCP ${endpoint.port} from the relay to ${endpoint.host}; many ISPs and cloud providers block outbound port 25. Test from the relay itself.`,
      exchangeOnline: 'Exchange Online never sees these sessions: the mail waits in the relay\'s queue.',
    };
  }
  return {
    remediation: `Allow outbound TCP ${endpoint.port} from the sending device's network to ${endpoint.host}. Exchange Online offers client submission on port 587 with STARTTLS (465 is not offered).`,
  };
}

export default defineCheck({
  id: 'smtp.connect',
  title: 'The endpoint accepts the connection and greets with 220',
  failureTitle: 'The endpoint cannot be reached or does not greet with 220',
  severity: 'critical',
  scope: 'endpoint',
  description: 'Opens a TCP connection (IPv4 or IPv6) and waits for the 220 greeting within the connect and greeting timeouts.',
  remediation: 'Make the endpoint reachable on its port from where the mail comes from (firewall, routing, DNS), and make the MTA greet with 220.',
  requires: ['smtp-session'],
  evaluate({ subject, probes }) {
    const { endpoint } = endpointOf(subject);
    const session = sessionOf(probes);
    const f = session.failure;
    if (f?.kind === 'aborted') return { status: 'error', message: `could not decide: ${f.message}` };
    if (f && (f.phase === 'connect' || f.phase === 'greeting')) {
      const message = f.phase === 'greeting' && !f.message.includes(endpoint.key) ? `${f.message} (${where(session, endpoint)})` : f.message;
      return { status: 'fail', message, ...advice(f, endpoint, session), evidence: { kind: f.kind, phase: f.phase, ...(f.code ? { code: f.code } : {}) } };
    }
    const text = session.greeting ? session.greeting.lines[0].slice(0, 120) : '';
    return {
      status: 'pass',
      message: `220 from ${where(session, endpoint)} (TCP connect ${session.connectMs ?? '?'} ms): ${JSON.stringify(text)}`,
      evidence: { address: session.address ?? null, family: session.family ?? null },
    };
  },
});
