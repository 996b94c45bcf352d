// Is a real peer installed and usable here? In CI a missing peer fails the tests; on a developer
// machine the tests that need it are skipped, with the reason printed once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findExecutable, groupExists, lookupUser } from './proc.js';

export type PeerName = 'postfix' | 'dovecot' | 'nsd' | 'unbound' | 'chromium';

interface PeerAvailability {
  ok: boolean;
  reason?: string;
}

const INSTALL_HINT = 'install with: sudo bash .ci/install-peers.sh';

/** True when running under CI (`CI` set to anything but '', '0' or 'false'). */
function inCI(): boolean {
  const v = (process.env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

const cache = new Map<PeerName, PeerAvailability>();

/** Path of the Chromium binary: $CHROMIUM_PATH, else chromium / chromium-browser on PATH. */
export function chromiumPath(): string | undefined {
  const env = process.env.CHROMIUM_PATH;
  if (env) return existsSync(env) ? env : undefined;
  return findExecutable('chromium') ?? findExecutable('chromium-browser');
}

function check(name: PeerName): PeerAvailability {
  if (process.platform !== 'linux') return { ok: false, reason: `${name}: real peers run on Linux only` };
  const missing = (what: string): PeerAvailability => ({ ok: false, reason: `${name}: ${what} not found (${INSTALL_HINT})` });
  switch (name) {
    case 'postfix': {
      if (!isRoot()) return { ok: false, reason: 'postfix: tests must run as root (private instance on ports 25/587)' };
      for (const bin of ['postfix', 'postconf']) if (!findExecutable(bin)) return missing(bin);
      if (!existsSync('/usr/lib/postfix/sbin/master')) return missing('/usr/lib/postfix/sbin/master');
      if (!lookupUser('postfix')) return missing('user postfix');
      if (!groupExists('postdrop')) return missing('group postdrop');
      if (!findExecutable('openssl')) return missing('openssl');
      return { ok: true };
    }
    case 'dovecot': {
      if (!isRoot()) return { ok: false, reason: 'dovecot: tests must run as root' };
      for (const bin of ['dovecot', 'doveconf']) if (!findExecutable(bin)) return missing(bin);
      if (!existsSync('/usr/lib/dovecot/imap')) return missing('/usr/lib/dovecot/imap (dovecot-imapd)');
      for (const u of ['dovecot', 'dovenull']) if (!lookupUser(u)) return missing(`user ${u}`);
      return { ok: true };
    }
    case 'nsd': {
      if (!isRoot()) return { ok: false, reason: 'nsd: tests must run as root' };
      for (const bin of ['nsd', 'nsd-checkconf']) if (!findExecutable(bin)) return missing(bin);
      return { ok: true };
    }
    case 'unbound': {
      if (!isRoot()) return { ok: false, reason: 'unbound: tests must run as root (port 53 on loopback)' };
      for (const bin of ['unbound', 'unbound-checkconf']) if (!findExecutable(bin)) return missing(bin);
      for (const bin of ['ldns-keygen', 'ldns-signzone']) if (!findExecutable(bin)) return missing(`${bin} (ldnsutils)`);
      return { ok: true };
    }
    case 'chromium': {
      const bin = chromiumPath();
      if (!bin) return missing('chromium');
      const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
      if (r.status !== 0) {
        return { ok: false, reason: `chromium: ${bin} --version failed: ${(r.error?.message ?? r.stderr ?? '').trim().slice(0, 200)}` };
      }
      return { ok: true };
    }
  }
}

/** Whether a peer can be used here, and if not, why. Cached per process. */
function peerAvailability(name: PeerName): PeerAvailability {
  let a = cache.get(name);
  if (!a) {
    a = check(name);
    cache.set(name, a);
  }
  return a;
}

/** Why the given peers cannot be used, or undefined if they all can. */
function missingPeersReason(...names: PeerName[]): string | undefined {
  const reasons = names.map((n) => peerAvailability(n)).filter((a) => !a.ok).map((a) => a.reason ?? 'unavailable');
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

const warned = new Set<string>();

/**
 * Declares that the calling tests need these peers.
 * - all available: returns true;
 * - missing, in CI: throws (the test file fails: CI installs the peers, so this is a real error);
 * - missing, elsewhere: prints the reason once (stderr) and returns false.
 *
 *   describe.skipIf(!requirePeer('postfix', 'dovecot'))('relay through a real Postfix', () => { … });
 */
export function requirePeer(...names: PeerName[]): boolean {
  const reason = missingPeersReason(...names);
  if (reason === undefined) return true;
  if (inCI()) {
    throw new Error(`required test peer missing in CI: ${reason}`);
  }
  if (!warned.has(reason)) {
    warned.add(reason);
    process.stderr.write(`[relaycheck] skipping tests that need ${names.join(', ')}: ${reason}\n`);
  }
  return false;
}
