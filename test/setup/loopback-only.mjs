// Tests never leave the machine: every TCP connection, UDP datagram and host-name lookup made by
// a test (or by a CLI the tests spawn, through NODE_OPTIONS=--import) must stay on loopback.
// Anything else fails loudly at once instead of quietly reaching the internet or the site's
// resolver. Loaded by vitest.config.ts (setupFiles) and by test/helpers/cli.ts.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

export function isLoopback(address) {
  if (typeof address !== 'string') return true; // a path (unix socket) or the default (localhost)
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOCAL_NAMES.has(a)) return true;
  if (net.isIPv4(a)) return a.startsWith('127.');
  if (net.isIPv6(a)) return a === '::1' || a.startsWith('::ffff:127.');
  return false; // a host name: must have been resolved through a test's own resolve map
}

function refuse(what, address) {
  const err = new Error(`test isolation: ${what} to non-loopback address ${address} refused (tests stay on 127.0.0.0/8 and ::1)`);
  err.code = 'ENETUNREACH';
  return err;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = args[0];
  const opts = Array.isArray(first) ? first[0] : first;
  const host = typeof opts === 'object' && opts !== null ? (opts.path ? undefined : opts.host) : typeof args[1] === 'string' ? args[1] : undefined;
  if (host !== undefined && net.isIP(String(host).replace(/^\[|\]$/g, '')) && !isLoopback(host)) {
    process.nextTick(() => this.destroy(refuse('TCP connection', host)));
    return this;
  }
  return connect.apply(this, args);
};

const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function guardedSend(...args) {
  const address = args.find((a, i) => i > 0 && typeof a === 'string');
  if (address !== undefined && !isLoopback(address)) {
    const cb = args.find((a) => typeof a === 'function');
    const err = refuse('UDP datagram', address);
    if (cb) process.nextTick(cb, err);
    else process.nextTick(() => this.emit('error', err));
    return;
  }
  return send.apply(this, args);
};

// A connected UDP socket (connect(port, address), then send(msg) with no address: what the DNS
// probes do) must be guarded at connect, or its datagrams would reach the site's resolver.
const udpConnect = dgram.Socket.prototype.connect;
dgram.Socket.prototype.connect = function guardedUdpConnect(port, address) {
  // connect(port) alone targets localhost; a named non-loopback address is refused with 'error'
  // (not the callback: callers that ignore its argument would then send on an unconnected socket).
  if (typeof address === 'string' && !isLoopback(address)) {
    const err = refuse('UDP connect', address);
    process.nextTick(() => this.emit('error', err));
    return;
  }
  return udpConnect.apply(this, arguments);
};

// Name lookups: only loopback names and IP literals. Anything else would ask the system resolver.
const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  if (!isLoopback(hostname) && !net.isIP(hostname)) {
    const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (test isolation: only loopback names resolve in tests)`), { code: 'ENOTFOUND', hostname });
    process.nextTick(cb, err);
    return {};
  }
  return lookup.call(this, hostname, options, callback);
};
const promisesLookup = dns.promises.lookup;
dns.promises.lookup = async function guardedPromisesLookup(hostname, options) {
  if (!isLoopback(hostname) && !net.isIP(hostname)) {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (test isolation: only loopback names resolve in tests)`), { code: 'ENOTFOUND', hostname });
  }
  return promisesLookup.call(this, hostname, options);
};
syncBuiltinESMExports();
