// One IMAP4rev1 session of the lab's mailbox server (RFC 3501), as much as imapflow and
// send.delivery use: CAPABILITY, ID, NOOP, LOGOUT, LOGIN, AUTHENTICATE PLAIN / XOAUTH2 (SASL-IR or
// a continuation), NAMESPACE, LIST, STATUS, SELECT / EXAMINE, SEARCH and UID SEARCH (ALL, HEADER,
// UID), FETCH and UID FETCH (UID, FLAGS, RFC822.SIZE, INTERNALDATE, BODY[] / BODY.PEEK[]), CLOSE,
// UNSELECT. Replies are worded as Exchange Online's IMAP4 service words them.
import type { Socket } from 'node:net';

export interface StoredMessage {
  uid: number;
  raw: string;
  internalDate: Date;
}

export interface ImapBackend {
  messages(): StoredMessage[];
  uidValidity: number;
  login(user: string, password: string): boolean;
  /** XOAUTH2: undefined when OAuth is not offered */
  xoauth2?(user: string, token: string): Promise<boolean>;
}

const CAPABILITIES = 'IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE';
const MAX_LINE = 64 * 1024;

type Token = string | Token[];

/** Atoms, "quoted strings" and (lists); literals have been inlined by the reader as quoted text. */
export function parseArgs(text: string): Token[] {
  const stack: Token[][] = [[]];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ') i++;
    else if (ch === '(') {
      stack.push([]);
      i++;
    } else if (ch === ')') {
      const list = stack.pop()!;
      (stack[stack.length - 1] ?? stack[0]).push(list);
      if (stack.length === 0) stack.push([list]);
      i++;
    } else if (ch === '"') {
      let out = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        out += text[i++];
      }
      i++;
      stack[stack.length - 1].push(out);
    } else {
      // an atom; a section like BODY.PEEK[HEADER.FIELDS (A B)] stays one token
      let out = '';
      let depth = 0;
      while (i < text.length && (depth > 0 || (text[i] !== ' ' && text[i] !== '(' && text[i] !== ')'))) {
        if (text[i] === '[') depth++;
        if (text[i] === ']') depth--;
        out += text[i++];
      }
      stack[stack.length - 1].push(out);
    }
  }
  return stack[0];
}

/** "1:3,5,7:*" against the message numbers (or uids) that exist. */
function inSet(set: string, n: number, max: number): boolean {
  return set.split(',').some((part) => {
    const [a, b] = part.split(':');
    const lo = a === '*' ? max : Number(a);
    const hi = b === undefined ? lo : b === '*' ? max : Number(b);
    return n >= Math.min(lo, hi) && n <= Math.max(lo, hi);
  });
}

function headerValue(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:[ \\t]*(.*)$`, 'im').exec(head)?.[1];
}

function imapDate(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}-${months[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function serveImap(socket: Socket, backend: ImapBackend): void {
  let state: 'new' | 'auth' | 'selected' | 'out' = 'new';
  let buffer = Buffer.alloc(0);
  let pending: { tag: string; command: string; line: string } | undefined; // a command waiting for SASL data
  let literalParts: string[] = [];
  let literalNeed = 0;
  let busy = Promise.resolve();
  const write = (line: string) => {
    if (!socket.destroyed) socket.write(`${line}\r\n`);
  };
  write(`* OK The Microsoft Exchange IMAP4 service is ready. [${Buffer.from('lab-imap').toString('base64')}]`);

  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (literalNeed > 0) {
        if (buffer.length < literalNeed) return;
        literalParts.push(JSON.stringify(buffer.subarray(0, literalNeed).toString('utf8')));
        buffer = buffer.subarray(literalNeed);
        literalNeed = 0;
      }
      const end = buffer.indexOf('\r\n');
      if (end < 0) {
        if (buffer.length > MAX_LINE) socket.destroy();
        return;
      }
      const line = buffer.subarray(0, end).toString('utf8');
      buffer = buffer.subarray(end + 2);
      const lit = /\{(\d+)(\+?)\}$/.exec(line);
      if (lit && Number(lit[1]) <= MAX_LINE) {
        literalParts.push(line.slice(0, lit.index));
        literalNeed = Number(lit[1]);
        if (!lit[2]) write('+ Ready for additional command text.');
        continue;
      }
      const full = literalParts.join('') + line;
      literalParts = [];
      busy = busy.then(() => handle(full)).catch(() => {
        socket.destroy();
      });
    }
  });

  async function handle(line: string): Promise<void> {
    if (state === 'out') return;
    if (pending) {
      const p = pending;
      pending = undefined;
      if (line === '*') return write(`${p.tag} BAD Command Argument Error. 12`);
      return authenticate(p.tag, p.command, line);
    }
    const m = /^(\S+) +(\S+)(?: +(.*))?$/.exec(line);
    if (!m) return write('* BAD Command Error. 10');
    const [, tag, verb, rest = ''] = m;
    let command = verb.toUpperCase();
    let args = rest;
    let uid = false;
    if (command === 'UID') {
      const sub = /^(\S+)(?: +(.*))?$/.exec(rest);
      command = (sub?.[1] ?? '').toUpperCase();
      args = sub?.[2] ?? '';
      uid = true;
    }
    const anyState = ['CAPABILITY', 'NOOP', 'LOGOUT', 'ID'];
    if (state === 'new' && !anyState.includes(command) && !['LOGIN', 'AUTHENTICATE'].includes(command)) return write(`${tag} BAD Command received in Invalid state.`);
    if (state !== 'new' && ['LOGIN', 'AUTHENTICATE'].includes(command)) return write(`${tag} BAD Command received in Invalid state.`);
    if (['SEARCH', 'FETCH', 'CLOSE', 'UNSELECT'].includes(command) && state !== 'selected') return write(`${tag} BAD Command received in Invalid state.`);
    const a = parseArgs(args);
    switch (command) {
      case 'CAPABILITY':
        write(`* CAPABILITY ${CAPABILITIES}`);
        return write(`${tag} OK CAPABILITY completed.`);
      case 'NOOP':
        if (state === 'selected') write(`* ${backend.messages().length} EXISTS`);
        return write(`${tag} OK NOOP completed.`);
      case 'ID':
        write('* ID NIL');
        return write(`${tag} OK ID completed.`);
      case 'LOGOUT':
        write('* BYE Microsoft Exchange Server IMAP4 server signing off.');
        write(`${tag} OK LOGOUT completed.`);
        state = 'out';
        socket.end();
        return;
      case 'LOGIN':
        if (typeof a[0] === 'string' && typeof a[1] === 'string' && backend.login(a[0], a[1])) {
          state = 'auth';
          return write(`${tag} OK LOGIN completed.`);
        }
        return write(`${tag} NO LOGIN failed.`);
      case 'AUTHENTICATE': {
        const mech = String(a[0] ?? '').toUpperCase();
        if (mech !== 'PLAIN' && !(mech === 'XOAUTH2' && backend.xoauth2)) return write(`${tag} NO The specified authentication mechanism is not supported.`);
        if (typeof a[1] === 'string') return authenticate(tag, mech, a[1]);
        pending = { tag, command: mech, line };
        return write('+ ');
      }
      case 'NAMESPACE':
        write('* NAMESPACE (("" "/")) NIL NIL');
        return write(`${tag} OK NAMESPACE completed.`);
      case 'LIST':
      case 'LSUB':
        write(`* ${command} (\\HasNoChildren) "/" INBOX`);
        return write(`${tag} OK ${command} completed.`);
      case 'STATUS': {
        const msgs = backend.messages();
        if (String(a[0]).toUpperCase() !== 'INBOX') return write(`${tag} NO The requested item could not be found.`);
        write(`* STATUS INBOX (MESSAGES ${msgs.length} UIDNEXT ${(msgs.at(-1)?.uid ?? 0) + 1} UIDVALIDITY ${backend.uidValidity} UNSEEN 0)`);
        return write(`${tag} OK STATUS completed.`);
      }
      case 'SELECT':
      case 'EXAMINE': {
        if (String(a[0]).toUpperCase() !== 'INBOX') return write(`${tag} NO Mailbox doesn't exist: ${String(a[0]).slice(0, 100)}`);
        const msgs = backend.messages();
        write(`* ${msgs.length} EXISTS`);
        write('* 0 RECENT');
        write('* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)');
        write('* OK [PERMANENTFLAGS ()] Permanent flags');
        write(`* OK [UIDVALIDITY ${backend.uidValidity}] UIDVALIDITY value`);
        write(`* OK [UIDNEXT ${(msgs.at(-1)?.uid ?? 0) + 1}] The next unique identifier value`);
        state = 'selected';
        return write(`${tag} OK [READ-ONLY] ${command} completed.`);
      }
      case 'CLOSE':
      case 'UNSELECT':
        state = 'auth';
        return write(`${tag} OK ${command} completed.`);
      case 'SEARCH':
        return search(tag, a, uid);
      case 'FETCH':
        return fetch(tag, a, uid);
      case 'ENABLE':
        write('* ENABLED');
        return write(`${tag} OK ENABLE completed.`);
      default:
        return write(`${tag} BAD Command Error. 12`);
    }
  }

  async function authenticate(tag: string, mech: string, b64: string): Promise<void> {
    const text = Buffer.from(b64, 'base64').toString('utf8');
    let ok = false;
    if (mech === 'PLAIN') {
      const [, user = '', pass = ''] = text.split('\u0000');
      ok = backend.login(user, pass);
    } else {
      const user = /(?:^|\u0001)user=([^\u0001]*)/.exec(text)?.[1] ?? '';
      const token = /(?:^|\u0001)auth=Bearer ([^\u0001]*)/.exec(text)?.[1] ?? '';
      ok = Boolean(user && token) && (await backend.xoauth2!(user, token));
    }
    if (!ok) return write(`${tag} NO AUTHENTICATE failed.`);
    state = 'auth';
    write(`${tag} OK AUTHENTICATE completed.`);
  }

  function search(tag: string, a: Token[], uid: boolean): void {
    const msgs = backend.messages();
    let criteria = [...a];
    if (String(criteria[0]).toUpperCase() === 'CHARSET') criteria = criteria.slice(2);
    let hits = msgs.map((m, i) => ({ m, seq: i + 1 }));
    for (let i = 0; i < criteria.length; i++) {
      const key = String(criteria[i]).toUpperCase();
      if (key === 'ALL') continue;
      if (key === 'HEADER') {
        const name = String(criteria[++i]);
        const value = String(criteria[++i]).toLowerCase();
        hits = hits.filter(({ m }) => (headerValue(m.raw, name) ?? '\u0000').toLowerCase().includes(value));
      } else if (key === 'UID') {
        const set = String(criteria[++i]);
        hits = hits.filter(({ m }) => inSet(set, m.uid, msgs.at(-1)?.uid ?? 0));
      } else if (/^[\d*:,]+$/.test(key)) {
        hits = hits.filter(({ seq }) => inSet(key, seq, msgs.length));
      } else return write(`${tag} BAD Command Argument Error. 11`);
    }
    write(`* SEARCH${hits.map(({ m, seq }) => ` ${uid ? m.uid : seq}`).join('')}`);
    write(`${tag} OK SEARCH completed.`);
  }

  function fetch(tag: string, a: Token[], uid: boolean): void {
    const msgs = backend.messages();
    const set = String(a[0]);
    const wanted = (Array.isArray(a[1]) ? a[1] : a.slice(1)).map((t) => String(t).toUpperCase());
    if (uid && !wanted.includes('UID')) wanted.unshift('UID');
    for (const [i, m] of msgs.entries()) {
      if (!inSet(set, uid ? m.uid : i + 1, uid ? (msgs.at(-1)?.uid ?? 0) : msgs.length)) continue;
      const parts: string[] = [];
      for (const item of wanted) {
        if (item === 'UID') parts.push(`UID ${m.uid}`);
        else if (item === 'FLAGS') parts.push('FLAGS ()');
        else if (item === 'RFC822.SIZE') parts.push(`RFC822.SIZE ${Buffer.byteLength(m.raw)}`);
        else if (item === 'INTERNALDATE') parts.push(`INTERNALDATE "${imapDate(m.internalDate)}"`);
        else if (item === 'BODY[]' || item === 'BODY.PEEK[]' || item === 'RFC822') parts.push(`${item === 'RFC822' ? 'RFC822' : 'BODY[]'} {${Buffer.byteLength(m.raw)}}\r\n${m.raw}`);
      }
      write(`* ${i + 1} FETCH (${parts.join(' ')})`);
    }
    write(`${tag} OK FETCH completed.`);
  }
}
