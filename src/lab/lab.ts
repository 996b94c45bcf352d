// The built-in lab: a PKI made on the spot, loopback servers on free ports standing in for
// Exchange Online (MX endpoint, smtp.office365.com), the on-prem smart host, two IMAP mailboxes
// a DNS resolver and Microsoft Entra ID (the scanner app's tokens), and the plan that describes them, written with its secrets into the lab
// folder. `startLab` brings it up (faults injected as asked) and returns a handle whose close()
// stops every server; src/commands/lab.ts runs the plan against it.
import { randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve as resolvePath } from 'node:path';
import ranges from '../../data/exchange-online-ranges.json' with { type: 'json' };
import { createLabPki, issueLeaf, selfSigned, type Issued } from '../pki/generate.js';
import { startLabDns, type LabDnsServer } from './dns.js';
import { startExoMx, type ExoMxServer } from './exo-mx.js';
import { startExoSubmission, type ExoSubmissionServer } from './exo-submission.js';
import { startEntra, type EntraServer } from './entra.js';
import { judgeBearer, type LabExchangeApps } from './exo-xoauth2.js';
import { FAULTS, scannerUsesBasic, type LabFault } from './faults.js';
import { startLabImap, type LabImapServer } from './imap.js';
import { startMtaStsServer, type MtaStsServer } from './mta-sts.js';
import { LAB, LAB_FILES, renderLabPlan, type LabPorts } from './plan.js';
import { startSmartHost, type SmartHostServer } from './smart-host.js';
import { startAcsStandIn, startHveStandIn } from './submission-paths.js';
import { labMtaStsPolicy, labZone } from './zone.js';

const DAY = 86_400_000;

export interface LabOptions {
  /** the lab folder: the plan, pki/ and secrets/ are written here */
  dir: string;
  faults?: LabFault[];
  /** loopback address the servers listen on; default 127.0.0.1 */
  address?: string;
  /** IMAP delivery timeout of the plan, seconds (default 10) */
  deliveryTimeoutSeconds?: number;
}

export interface LabServers {
  mx: ExoMxServer;
  submission: ExoSubmissionServer;
  smartHost: SmartHostServer;
  exoImap: LabImapServer;
  onPremImap: LabImapServer;
  dns: LabDnsServer;
  mtaSts: MtaStsServer;
  entra: EntraServer;
  hve: ExoSubmissionServer;
  acs: ExoSubmissionServer;
  /** the tenant MX as Direct Send meets it */
  directSend: ExoMxServer;
}

export interface Lab {
  dir: string;
  /** the plan file (absolute) */
  planFile: string;
  faults: LabFault[];
  ports: LabPorts;
  /** the lab's root CA (PEM): it plays the part of a public CA in the lab */
  rootPem: string;
  servers: LabServers;
  /** one line per server: what it stands for and where it listens */
  describe(): string[];
  /** Stops every server (idempotent; never throws). */
  close(): Promise<void>;
}

/** The smart host's certificate as the faults make it: name, validity, issuer and chain. */
async function smartHostCertificate(pki: Awaited<ReturnType<typeof createLabPki>>, faults: Set<LabFault>): Promise<Issued> {
  const now = Date.now();
  const name = faults.has('wrong-name') ? 'wrong.invalid-name.test' : LAB.smartHost;
  const validity = faults.has('expired-cert') ? { notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - 35 * DAY) } : { notBefore: new Date(now - DAY), notAfter: new Date(now + 365 * DAY) };
  const leaf = faults.has('self-signed') ? await selfSigned({ cn: name, dnsNames: [name], ...validity }) : await issueLeaf(pki.intermediate, { cn: name, dnsNames: [name], ...validity });
  return faults.has('missing-intermediate') ? { ...leaf, chainPem: leaf.certPem } : leaf;
}

async function put(file: string, text: string, mode: number): Promise<void> {
  const secret = mode === 0o600;
  await mkdir(dirname(file), { recursive: true, mode: secret ? 0o700 : 0o755 });
  if (secret) await chmod(dirname(file), 0o700);
  await writeFile(file, text, { mode });
  await chmod(file, mode); // writeFile's mode does not apply to an existing file
}

async function spki(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.exportKey('spki', key));
}

export async function startLab(options: LabOptions): Promise<Lab> {
  const dir = resolvePath(options.dir);
  const faults = [...new Set(options.faults ?? [])];
  const broken = new Set(faults);
  for (const f of faults) if (!FAULTS[f]) throw new Error(`unknown lab fault ${f}`);
  const address = options.address ?? '127.0.0.1';

  // The PKI: root → issuing CA → leaves for every server and the relay's client certificate.
  const pki = await createLabPki({ domain: LAB.domain, host: LAB.smartHost });
  const [mxLeaf, submissionLeaf, exoImapLeaf, mtaStsLeaf, smartLeaf, entraLeaf, appCert, hveLeaf, acsLeaf] = await Promise.all([
    issueLeaf(pki.intermediate, { cn: LAB.mxCertNames[0], dnsNames: [...LAB.mxCertNames] }),
    issueLeaf(pki.intermediate, { cn: LAB.submissionHost }),
    issueLeaf(pki.intermediate, { cn: LAB.exoImapHost }),
    issueLeaf(pki.intermediate, { cn: LAB.mtaStsHost }),
    smartHostCertificate(pki, broken),
    issueLeaf(pki.intermediate, { cn: LAB.entraHost }),
    // The app registration's certificate: self-signed, RSA 2048, as New-SelfSignedCertificate makes one.
    selfSigned({ cn: LAB.appName, key: { kind: 'rsa', bits: 2048 }, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 730 * DAY) }),
    issueLeaf(pki.intermediate, { cn: LAB.hveHost }),
    issueLeaf(pki.intermediate, { cn: LAB.acsHost }),
  ]);
  const client = broken.has('client-cert-mismatch') ? pki.leaves.clientWrongName : pki.leaves.client;

  // Secrets: fresh per lab run, written 0600 and referenced from the plan as { file: … }.
  const secret = () => randomBytes(18).toString('base64url');
  const appSecret = secret();
  const scannerPassword = secret();
  const exoImapPassword = secret();
  const app = { tenantId: randomUUID(), clientId: randomUUID(), objectId: randomUUID() };
  const onPremImapPassword = secret();
  const hvePassword = secret();
  const acsSecret = secret();
  const root = pki.root.certPem;
  await Promise.all([
    put(join(dir, LAB_FILES.root), root, 0o644),
    put(join(dir, LAB_FILES.relayChain), client.chainPem, 0o644),
    put(join(dir, LAB_FILES.relayKey), client.keyPem, 0o600),
    put(join(dir, LAB_FILES.appCert), appCert.certPem, 0o644),
    put(join(dir, LAB_FILES.appKey), appCert.keyPem, 0o600),
    // oauth-bad-secret: the plan reads a secret Entra ID does not know
    put(join(dir, LAB_FILES.appSecret), `${broken.has('oauth-bad-secret') ? secret() : appSecret}\n`, 0o600),
    put(join(dir, LAB_FILES.scannerPassword), `${scannerPassword}\n`, 0o600),
    // The renewal waiting to be installed: always the right certificate, whatever --break does to the live one.
    put(join(dir, LAB_FILES.relayNext), pki.leaves.client.chainPem, 0o644),
    put(join(dir, LAB_FILES.exoImapPassword), `${exoImapPassword}\n`, 0o600),
    put(join(dir, LAB_FILES.onPremImapPassword), `${onPremImapPassword}\n`, 0o600),
    put(join(dir, LAB_FILES.hvePassword), `${hvePassword}\n`, 0o600),
    put(join(dir, LAB_FILES.acsSecret), `${acsSecret}\n`, 0o600),
  ]);

  const started: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> => p.then((s) => (started.push(s), s));
  const stopAll = async () => {
    await Promise.all(started.splice(0).map((s) => s.close().catch(() => undefined)));
  };
  // Exchange Online's side of the app: its service principal and the mailboxes granted to it.
  const exchangeApps: LabExchangeApps = {
    servicePrincipals: new Map([[app.clientId, app.objectId]]),
    mailboxGrants: new Map([[app.objectId, new Set([LAB.exoMailbox, ...(broken.has('oauth-no-mailbox-permission') ? [] : [LAB.submissionUser])])]]),
  };
  try {
    const entra = await track(
      startEntra({
        host: address,
        key: entraLeaf.keyPem,
        cert: entraLeaf.chainPem,
        tenantId: app.tenantId,
        tenantDomain: LAB.tenantDomain,
        apps: [
          {
            clientId: app.clientId,
            displayName: LAB.appName,
            objectId: app.objectId,
            secrets: [{ value: appSecret }],
            certificates: [appCert.certPem],
            roles: broken.has('oauth-no-role') ? [] : ['SMTP.SendAsApp', 'IMAP.AccessAsApp'],
          },
        ],
      }),
    );
    const bearer = (role: 'SMTP.SendAsApp' | 'IMAP.AccessAsApp') => async (user: string, token: string) => (await judgeBearer(token, user, role, (t) => entra.verify(t), exchangeApps)).ok;
    const [exoImap, onPremImap] = await Promise.all([
      track(startLabImap({ host: address, key: exoImapLeaf.keyPem, cert: exoImapLeaf.chainPem, users: { [LAB.exoMailbox]: exoImapPassword }, verifyXoauth2: bearer('IMAP.AccessAsApp') })),
      track(startLabImap({ host: address, key: pki.leaves.valid.keyPem, cert: pki.leaves.valid.chainPem, users: { [LAB.onPremMailbox]: onPremImapPassword } })),
    ]);
    const [mx, submission, smartHost, mtaSts] = await Promise.all([
      track(
        startExoMx({
          host: address,
          key: mxLeaf.keyPem,
          cert: mxLeaf.chainPem,
          hostname: LAB.mxHost,
          acceptedDomains: [LAB.domain],
          tlsSenderCertificateName: LAB.tlsSenderCertificateName,
          trustedCa: [root],
          requireTls: true,
          onMessage: (m) => exoImap.deliver(m.raw, m.rcptTo),
        }),
      ),
      track(
        startExoSubmission({
          host: address,
          key: submissionLeaf.keyPem,
          cert: submissionLeaf.chainPem,
          hostname: LAB.submissionHost,
          // The clean lab's scanner has no password: OAuth only, so no Basic verdict depends on the date.
          users: [
            {
              username: LAB.submissionUser,
              ...(scannerUsesBasic(faults) ? { password: scannerPassword } : {}),
              ...(broken.has('basic-disabled') ? { basicAuthDisabled: 'tenant-default' as const } : {}),
              sendAs: broken.has('sender-mismatch') ? [] : [LAB.submissionFrom],
            },
          ],
          verifyXoauth2: bearer('SMTP.SendAsApp'),
          onMessage: (m) => exoImap.deliver(m.raw, m.rcptTo),
        }),
      ),
      track(
        startSmartHost({
          host: address,
          hostname: LAB.smartHost,
          key: smartLeaf.keyPem,
          cert: smartLeaf.chainPem,
          starttls: !broken.has('no-starttls'),
          domains: [LAB.domain],
          onMessage: (m) => onPremImap.deliver(m.raw, m.rcptTo),
        }),
      ),
      track(startMtaStsServer({ host: address, key: mtaStsLeaf.keyPem, cert: mtaStsLeaf.chainPem, policy: labMtaStsPolicy() })),
    ]);
    const toExoMailbox = (m: { raw: string; rcptTo: string[] }) => exoImap.deliver(m.raw, m.rcptTo.filter((r) => r.toLowerCase().endsWith(`@${LAB.domain}`)));
    const [hve, acs, directSend] = await Promise.all([
      track(startHveStandIn({ host: address, key: hveLeaf.keyPem, cert: hveLeaf.chainPem, hostname: LAB.hveHost, acceptedDomains: [LAB.domain], users: [{ username: LAB.hveUser, password: hvePassword }], authMethods: ['LOGIN', 'XOAUTH2'], onMessage: toExoMailbox })),
      track(startAcsStandIn({ host: address, key: acsLeaf.keyPem, cert: acsLeaf.chainPem, hostname: LAB.acsHost, verifiedDomains: [LAB.domain], apps: [{ username: LAB.acsUser, clientSecret: acsSecret }], onMessage: toExoMailbox })),
      track(
        startExoMx({
          host: address,
          key: mxLeaf.keyPem,
          cert: mxLeaf.chainPem,
          hostname: LAB.mxHost,
          acceptedDomains: [LAB.domain],
          directSend: broken.has('direct-send-rejected') ? 'reject' : 'accept',
          onMessage: toExoMailbox,
        }),
      ),
    ]);
    const dns = await track(
      startLabDns({
        host: address,
        zone: labZone({
          smartHostPort: smartHost.port,
          smartHostCertDer: smartLeaf.certDer,
          dkimKeys: await Promise.all([spki(pki.root.keys.publicKey), spki(pki.intermediate.keys.publicKey)]) as [Uint8Array, Uint8Array],
          exoRanges: { ipv4: ranges.ipv4, ipv6: ranges.ipv6 },
        }),
      }),
    );
    const ports: LabPorts = { mx: mx.port, submission: submission.port, smartHost: smartHost.port, exoImap: exoImap.port, onPremImap: onPremImap.port, dns: dns.port, mtaSts: mtaSts.port, entra: entra.port, hve: hve.port, acs: acs.port, directSend: directSend.port };
    const planFile = join(dir, LAB_FILES.plan);
    await put(planFile, renderLabPlan({ ports, faults, firewallAllowed: [...ranges.ipv4, ...ranges.ipv6], address, deliveryTimeoutSeconds: options.deliveryTimeoutSeconds, app }), 0o644);

    let closing: Promise<void> | undefined;
    return {
      dir,
      planFile,
      faults,
      ports,
      rootPem: root,
      servers: { mx, submission, smartHost, exoImap, onPremImap, dns, mtaSts, entra, hve, acs, directSend },
      describe: () => [
        `Exchange Online MX endpoint   ${LAB.mxHost}:${mx.port}`,
        `smtp.office365.com (587)      ${LAB.submissionHost}:${submission.port}`,
        `on-prem smart host (25)       ${LAB.smartHost}:${smartHost.port}`,
        `IMAP mailboxes                ${LAB.exoImapHost}:${exoImap.port}, ${LAB.smartHost}:${onPremImap.port}`,
        `DNS resolver (lab zone)       ${address}:${dns.port}`,
        `MTA-STS policy (HTTPS)        ${LAB.mtaStsHost}:${mtaSts.port}`,
        `Entra ID (tokens, HTTPS)      ${LAB.entraHost}:${entra.port}`,
        `smtp-hve.office365.com (587)  ${LAB.hveHost}:${hve.port}`,
        `smtp.azurecomm.net (587)      ${LAB.acsHost}:${acs.port}`,
        `Direct Send to the MX (25)    ${LAB.mxHost}:${directSend.port}`,
      ],
      close() {
        closing ??= stopAll();
        return closing;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
