// Minimal SMTP greeting probe used to decide that a listener is up.
import { connect } from 'node:net';
import { retryUntil } from './proc.js';

/** Connects once, reads the (possibly multi-line) greeting, sends QUIT. Resolves with the whole
 * greeting text; rejects on connection error or if no greeting arrives within timeoutMs. */
function readGreeting(address: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: address, port });
    let buf = '';
    let done = false;
    const finish = (err: Error | undefined, value?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        sock.destroy();
        reject(err);
      } else {
        sock.end('QUIT\r\n');
        setTimeout(() => sock.destroy(), 1_000).unref();
        resolve(value ?? '');
      }
    };
    const timer = setTimeout(() => finish(new Error(`no SMTP greeting from ${address}:${port} within ${timeoutMs} ms (got ${JSON.stringify(buf)})`)), timeoutMs);
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      // The greeting is complete at the first line "NNN " (not "NNN-").
      if (/^\d{3} [^\n]*\r?\n/m.test(buf)) finish(undefined, buf);
    });
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error(`connection to ${address}:${port} closed before a greeting (got ${JSON.stringify(buf)})`)));
  });
}

/** Retries until address:port answers with a 220 greeting; throws after timeoutMs. */
export function waitForSmtp220(address: string, port: number, timeoutMs: number): Promise<string> {
  return retryUntil(Date.now() + timeoutMs, `${address}:${port} did not greet with 220 within ${timeoutMs} ms`, async (remainingMs) => {
    const greeting = await readGreeting(address, port, remainingMs);
    if (!greeting.startsWith('220')) throw new Error(`greeting is not 220: ${greeting.trim()}`);
    return greeting;
  });
}
