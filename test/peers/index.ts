// Real peers for integration tests: private Postfix, Dovecot and nsd instances on loopback,
// started and stopped from vitest (globalSetup or beforeAll/afterAll). Needs root and the Debian
// packages installed by .ci/install-peers.sh. See shared/peers/README.md.
//
//   describe.skipIf(!requirePeer('postfix', 'dovecot'))('…', () => {
//     let pf: PostfixInstance;
//     beforeAll(async () => { pf = await startPostfix({ dir, listeners: [{ address: '127.0.20.1', port: 25, tls: 'may' }] }); });
//     afterAll(() => pf?.stop());
//   });
export { peerAvailability, requirePeer, skipWithoutPeer, missingPeersReason, inCI, chromiumPath } from './available.js';
export type { PeerName, PeerAvailability } from './available.js';
export { startPostfix } from './postfix.js';
export type { PostfixInstance, PostfixListener, PostfixOptions, PostfixVirtualMailbox } from './postfix.js';
export { startDovecot, dovecotVersion } from './dovecot.js';
export type { DovecotInstance, DovecotOptions, DovecotUser } from './dovecot.js';
export { startNsd, dnsQuery } from './nsd.js';
export type { NsdInstance, NsdOptions, NsdZone, DnsResponse } from './nsd.js';
export { selfSignedCert } from './tls.js';
export type { PemPair } from './tls.js';
export { readGreeting, waitForSmtp220 } from './smtp-probe.js';
export { freePort, mailOwner, maildirOf, isBound } from './proc.js';
