// The lab's MTA-STS policy host (RFC 8461 §3.3): https://mta-sts.<domain>/.well-known/mta-sts.txt
// over TLS with a certificate for mta-sts.<domain> from the lab PKI, served as text/plain. It
// listens on a free loopback port, not 443: the lab tells the MTA-STS probe the port through the
// run's shared state (SHARED_MTA_STS_PORT in src/probes/mta-sts.ts).
import { createServer } from 'node:https';
import { listenTracked } from './listen.js';

export interface MtaStsServerOptions {
  host?: string;
  port?: number;
  key: string;
  cert: string;
  /** the policy text */
  policy: string;
}

export interface MtaStsServer {
  host: string;
  port: number;
  /** GET requests served */
  readonly requests: number;
  close(): Promise<void>;
}

export const MTA_STS_POLICY_PATH = '/.well-known/mta-sts.txt';

export async function startMtaStsServer(options: MtaStsServerOptions): Promise<MtaStsServer> {
  let requests = 0;
  const server = createServer({ key: options.key, cert: options.cert, minVersion: 'TLSv1.2' }, (req, res) => {
    requests++;
    if (req.method === 'GET' && req.url === MTA_STS_POLICY_PATH) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'max-age=300' });
      res.end(options.policy);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  });
  server.keepAliveTimeout = 1000;
  const host = options.host ?? '127.0.0.1';
  const listening = await listenTracked(server, host, options.port);
  const port = listening.port;
  return {
    host,
    port,
    get requests() {
      return requests;
    },
    close: listening.close,
  };
}
