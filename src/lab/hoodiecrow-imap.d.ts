// Types for the parts of hoodiecrow-imap (a scriptable IMAP test server, CommonJS, untyped) the
// lab uses: see src/lab/imap.ts.
declare module 'hoodiecrow-imap' {
  import type { Server } from 'node:net';

  interface HoodiecrowOptions {
    plugins?: string[];
    storage?: Record<string, { messages?: unknown[]; folders?: Record<string, unknown>; separator?: string }>;
    users?: Record<string, { password: string }>;
    /** implicit TLS with `credentials` (IMAPS) */
    secureConnection?: boolean;
    credentials?: { key: string; cert: string; minVersion?: string; ciphers?: string };
    debug?: boolean;
  }

  interface HoodiecrowServer {
    /** the net.Server (tls.Server with secureConnection) */
    server: Server;
    listen(port: number, host: string, callback?: () => void): void;
    close(callback?: () => void): void;
    appendMessage(mailbox: string, flags: string[], internaldate: Date, raw: string): unknown;
  }

  export default function hoodiecrow(options?: HoodiecrowOptions): HoodiecrowServer;
}
