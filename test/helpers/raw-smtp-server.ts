// Raw-socket "SMTP" servers that misbehave on purpose, for probe and client tests:
//
//   const server = await startRawServer(hostile.silent);      // accepts, never speaks
//   … probe server.host:server.port with short timeouts …
//   await server.close();                                      // destroys every open socket
//
// `startRawServer(handler)` runs `handler(socket)` for each connection on 127.0.0.1 (or `host`),
// port 0 (or `port`). The handlers in `hostile` cover the broken behaviour the probe must survive;
// `scripted` builds a server that answers line by line from a function.
import net from 'node:net';
import { listenOn } from '../../src/lab/listen.js';
import { formatHostPort } from '../../src/plan/address.js';

export type ConnectionHandler = (socket: net.Socket) => void;

export interface RawServer {
  host: string;
  port: number;
  hostPort: string;
  /** connections accepted so far */
  connections: number;
  close(): Promise<void>;
}

export async function startRawServer(handler: ConnectionHandler, host = '127.0.0.1', port = 0): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    handler(socket);
  });
  const bound = await listenOn(server, host, port);
  return {
    host,
    port: bound,
    hostPort: formatHostPort({ host, port: bound }),
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A line-by-line server: sends `banner`, then calls `answer(line)` for every line received and
 * writes what it returns (undefined: say nothing). `answer` may also act on the socket, or take it
 * over by removing its 'data' listeners: then no further line is read here.
 */
export function scripted(banner: string | null, answer: (line: string, socket: net.Socket) => string | undefined): ConnectionHandler {
  return (socket) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        const out = answer(line, socket);
        if (out !== undefined && !socket.destroyed) socket.write(out);
        if (!socket.listeners('data').includes(onData) || socket.destroyed) return; // the answer took the socket over
      }
    };
    socket.on('data', onData);
    if (banner !== null) socket.write(banner);
  };
}

const EHLO_WITH_STARTTLS = '250-mail.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n';

/** Greets and offers STARTTLS like a normal server; `onStarttls` takes over at STARTTLS. */
function untilStarttls(onStarttls: (socket: net.Socket) => void): ConnectionHandler {
  return scripted('220 mail.example.test ESMTP\r\n', (line, socket) => {
    const command = line.toUpperCase();
    if (command.startsWith('EHLO') || command.startsWith('HELO')) return EHLO_WITH_STARTTLS;
    if (command === 'STARTTLS') {
      socket.removeAllListeners('data'); // the line reader: what follows is onStarttls's
      onStarttls(socket);
    } else if (command === 'QUIT') socket.end('221 bye\r\n');
    else return '502 5.5.2 what?\r\n';
    return undefined;
  });
}

export const hostile = {
  /** Accepts the connection and never sends a byte (a black hole behind a firewall or a hung MTA). */
  silent: ((socket) => {
    socket.on('data', () => {});
  }) as ConnectionHandler,

  /** Greets with 421 and closes, as an overloaded or blocking server does. */
  greeting421: ((socket) => {
    socket.end('421 4.3.2 Service not available, closing transmission channel\r\n');
  }) as ConnectionHandler,

  /** Sends binary garbage ending in CRLF instead of a greeting. */
  garbage: ((socket) => {
    socket.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x1b]), Buffer.from('\u001b[31mnot smtp at all\r\n', 'latin1')]));
  }) as ConnectionHandler,

  /** Answers STARTTLS with 220 and, in the same write, a plaintext reply; then keeps talking plaintext. */
  plaintextAfterStarttls: untilStarttls((socket) => {
    socket.write('220 2.0.0 Ready to start TLS\r\n250 2.0.0 injected plaintext\r\n');
    socket.on('data', () => {
      if (!socket.destroyed) socket.write('250 2.0.0 still plaintext\r\n');
    });
  }),

  /** Answers STARTTLS with 220, then resets the connection (RST) when the ClientHello arrives. */
  resetDuringHandshake: untilStarttls((socket) => {
    socket.write('220 2.0.0 Ready to start TLS\r\n');
    socket.once('data', () => socket.resetAndDestroy());
  }),

  /** Answers EHLO with "250-" lines forever (until the client goes away). */
  endlessMultiline: scripted('220 mail.example.test ESMTP\r\n', (line, socket) => {
    if (!/^EHLO/i.test(line)) return line.toUpperCase() === 'QUIT' ? '221 bye\r\n' : '250 ok\r\n';
    let n = 0;
    const pump = () => {
      while (!socket.destroyed && socket.writable) {
        const more = socket.write(`250-EXTENSION-${n++} ${'x'.repeat(40)}\r\n`);
        if (!more) {
          socket.once('drain', pump);
          return;
        }
        if (n % 1000 === 0) {
          setImmediate(pump);
          return;
        }
      }
    };
    pump();
    return undefined;
  }),

  /** Greets with one line of 1 MiB. */
  hugeLine: ((socket) => {
    socket.write(`220 ${'A'.repeat(1 << 20)}\r\n`);
  }) as ConnectionHandler,

  /** Greets normally, then never answers anything. */
  silentAfterGreeting: scripted('220 mail.example.test ESMTP\r\n', () => undefined),

  /** Offers no STARTTLS. */
  noStarttls: scripted('220 mail.example.test ESMTP\r\n', (line) =>
    /^EHLO/i.test(line) ? '250-mail.example.test\r\n250 PIPELINING\r\n' : /^QUIT/i.test(line) ? '221 bye\r\n' : '250 ok\r\n',
  ),

  /** Advertises STARTTLS but refuses it with 454. */
  starttlsRefused: scripted('220 mail.example.test ESMTP\r\n', (line) =>
    /^EHLO/i.test(line) ? EHLO_WITH_STARTTLS : /^STARTTLS/i.test(line) ? '454 4.7.0 TLS not available due to local problem\r\n' : /^QUIT/i.test(line) ? '221 bye\r\n' : '250 ok\r\n',
  ),
};
