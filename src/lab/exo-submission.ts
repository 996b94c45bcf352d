// An in-process emulation of Exchange Online's client submission endpoint (smtp.office365.com:587)
// on smtp-server, for the built-in lab and for tests. What it reproduces (shared/reference/
// exchange-online.md):
//   - STARTTLS (TLS 1.2 and later only); AUTH advertised only after STARTTLS;
//   - AUTH PLAIN / LOGIN / XOAUTH2 against a user table; 535 5.7.3 for wrong credentials or an
//     unknown token; 535 5.7.139 when SMTP AUTH is disabled (mailbox, tenant, security defaults,
//     Conditional Access); 550 5.7.30 for Basic authentication where it is retired;
//   - 530 5.7.57 at MAIL FROM without AUTH;
//   - the sender rule: the authenticated mailbox or an address it has Send As on. Like Exchange
//     Online, MAIL FROM and RCPT TO get 250 for any sender, and a sender without Send As is
//     refused at the end of DATA (after the final dot) with 550 5.7.60 (default) or the store
//     driver's 554 5.2.252 SendAsDenied; 'mail' refuses at MAIL FROM instead (for tests only);
//   - hooks for the other paths built on it (src/lab/submission-paths.ts: HVE, ACS);
//   - the 250 after DATA in Exchange Online's form ("250 2.0.0 OK <id> [Hostname=…]").
import { randomBytes } from 'node:crypto';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { Mailbox, readMessage, receivedMessage, type CapturedMessage, type MailboxOptions } from './exo-mailbox.js';
import { closeServer, listenOn, SmtpReplyError } from './listen.js';

export type SmtpAuthBlock = 'mailbox' | 'tenant' | 'security-defaults' | 'conditional-access';

export interface ExoUser {
  /** the UPN / primary SMTP address, also the login */
  username: string;
  password?: string;
  /** XOAUTH2 bearer tokens accepted for this user */
  accessTokens?: string[];
  /** SMTP AUTH switched off, and by what: 535 5.7.139 in the matching wording */
  smtpAuthDisabled?: SmtpAuthBlock;
  /** Basic authentication retired: PLAIN / LOGIN get 550 5.7.30, or with 'tenant-default' the
   *  535 5.7.139 of a tenant where Basic is off (the default from the end of December 2026); XOAUTH2 still works */
  basicAuthDisabled?: boolean | 'tenant-default';
  /** addresses this mailbox has Send As on */
  sendAs?: string[];
  /** a path without Send As (ACS): any sender, judged by the path's own rules */
  anySender?: boolean;
}

export interface ExoSubmissionOptions extends MailboxOptions {
  /** listen address; default 127.0.0.1 */
  host?: string;
  /** default 0 (a free port) */
  port?: number;
  /** server certificate: PEM key and certificate (chain) */
  key: string;
  cert: string;
  /** the name in the banner and EHLO; default smtp.office365.com */
  hostname?: string;
  users: ExoUser[];
  /**
   * where and how a sender without Send As is refused: 'data' (default, as Exchange Online) 550
   * 5.7.60 at the end of DATA; 'data-storedrv' 554 5.2.252 SendAsDenied at the end of DATA;
   * 'mail' 550 5.7.60 at MAIL FROM (not what Exchange Online does: for tests of older clients)
   */
  sendAsRefusal?: 'mail' | 'data' | 'data-storedrv';
  /** extra rules of a path built on this server (HVE, ACS): a refusal at MAIL FROM or RCPT TO, or nothing */
  pathRules?: PathRules;
  /** default ['LOGIN', 'XOAUTH2'] as Exchange Online advertises; add 'PLAIN' for tests */
  authMethods?: ('PLAIN' | 'LOGIN' | 'XOAUTH2')[];
  /** answer a refused XOAUTH2 token with a 334 JSON challenge first (RFC 7628), instead of 535 5.7.3 at once */
  xoauth2Challenge?: boolean;
  /** XOAUTH2 with app tokens: does this bearer token give the app this mailbox? (src/lab/exo-xoauth2.ts) */
  verifyXoauth2?: (username: string, token: string) => Promise<boolean>;
}

export interface ExoSubmissionServer {
  host: string;
  port: number;
  /** accepted messages, oldest first */
  messages: CapturedMessage[];
  mailbox: Mailbox;
  /** every AUTH attempt: login, mechanism, result */
  authLog: { username: string; method: string; ok: boolean; reply?: string; at: Date }[];
  close(): Promise<void>;
}

const BANNER_ID = () => randomBytes(6).toString('hex').toUpperCase();

export function exoInternalHost(): string {
  return `AM0PR01MB${Math.floor(1000 + Math.random() * 9000)}.eurprd01.prod.outlook.com`;
}

interface SessionState {
  user?: ExoUser;
  sendAsDenied?: string;
}

/** A path's own refusals (src/lab/submission-paths.ts); `tag` is the server's "[host]" suffix. */
export interface PathRules {
  mailFrom?(address: string, user: ExoUser, tag: string): SmtpReplyError | undefined;
  rcptTo?(address: string, user: ExoUser, tag: string): SmtpReplyError | undefined;
}

/** The end-of-DATA refusal of a sender without Send As, in the wording the option asks for. */
function sendAsDeniedReply(kind: ExoSubmissionOptions['sendAsRefusal'], login: string, from: string, internal: string): SmtpReplyError {
  if (kind === 'data-storedrv') {
    return new SmtpReplyError(
      554,
      `5.2.252 SendAsDenied; ${login} not allowed to send as ${from}; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message.[EndDiagnosticData] [Hostname=${internal}]`,
    );
  }
  return new SmtpReplyError(550, `5.7.60 SMTP; Client does not have permissions to send as this sender [${internal}]`);
}

export async function startExoSubmission(options: ExoSubmissionOptions): Promise<ExoSubmissionServer> {
  const internal = exoInternalHost();
  const name = options.hostname ?? 'smtp.office365.com';
  const mailbox = new Mailbox(options);
  const authLog: ExoSubmissionServer['authLog'] = [];
  const users = new Map(options.users.map((u) => [u.username.toLowerCase(), u]));
  const states = new WeakMap<SMTPServerSession, SessionState>();
  const state = (s: SMTPServerSession) => {
    let st = states.get(s);
    if (!st) states.set(s, (st = {}));
    return st;
  };
  const tag = `[${internal}]`;

  const baseOptions: SMTPServerOptions = {
    name,
    banner: `Microsoft ESMTP MAIL Service ready at ${new Date().toUTCString()} ${BANNER_ID()}`,
    heloResponse: "%s Hello %s",
    key: options.key,
    cert: options.cert,
    minVersion: 'TLSv1.2',
    secure: false,
    authMethods: options.authMethods ?? ['LOGIN', 'XOAUTH2'],
    authOptional: true,
    allowInsecureAuth: false,
    disableReverseLookup: true,
    size: 36_700_160,
    logger: false,
    closeTimeout: 1000,
    onConnect(session, callback) {
      session.disabledCommands = ['AUTH']; // Exchange Online offers AUTH only after STARTTLS
      callback();
    },
    onSecure(_socket, session, callback) {
      session.disabledCommands = [];
      callback();
    },
    onAuth(auth: SMTPServerAuthentication, session, callback) {
      const login = (auth.username ?? '').toLowerCase();
      const user = users.get(login);
      const byApp = auth.method === 'XOAUTH2' && options.verifyXoauth2 && user && !(user.accessTokens ?? []).includes(auth.accessToken ?? '');
      if (byApp && session.secure) {
        options.verifyXoauth2!(user.username, auth.accessToken ?? '').then(
          (ok) => finishAuth(auth, session, callback, ok),
          () => finishAuth(auth, session, callback, false),
        );
        return;
      }
      finishAuth(auth, session, callback, false);
    },
  };
  // The answer to an AUTH attempt; an app's XOAUTH2 token has been judged first (src/lab/exo-xoauth2.ts).
  function finishAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, callback: Parameters<NonNullable<SMTPServerOptions['onAuth']>>[2], appTokenOk: boolean): void {
    const login = (auth.username ?? '').toLowerCase();
    const user = users.get(login);
    const log = (ok: boolean, reply?: string) => authLog.push({ username: auth.username ?? '', method: auth.method, ok, reply, at: new Date() });
    const refuse = (code: number, text: string) => {
      log(false, `${code} ${text}`);
      callback(new SmtpReplyError(code, text));
    };
    if (!session.secure) return refuse(530, `5.7.57 Client not authenticated to send mail. ${tag}`);
    if (auth.method === 'XOAUTH2') {
      if (!user || (!appTokenOk && !(user.accessTokens ?? []).includes(auth.accessToken ?? ''))) {
        if (options.xoauth2Challenge) {
          log(false, '334 challenge');
          return callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://outlook.office.com/SMTP.Send' } });
        }
        return refuse(535, `5.7.3 Authentication unsuccessful ${tag}`);
      }
    } else {
      if (!user || user.password === undefined || user.password !== auth.password) return refuse(535, `5.7.3 Authentication unsuccessful ${tag}`);
      if (user.basicAuthDisabled === 'tenant-default') return refuse(535, `5.7.139 Authentication unsuccessful, basic authentication is disabled. ${tag}`);
      if (user.basicAuthDisabled) return refuse(550, `5.7.30 Basic authentication is not supported for Client Submission. ${tag}`);
    }
    switch (user.smtpAuthDisabled) {
      case 'mailbox':
        return refuse(535, `5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. ${tag}`);
      case 'tenant':
        return refuse(535, `5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. ${tag}`);
      case 'security-defaults':
        return refuse(535, `5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator. ${tag}`);
      case 'conditional-access':
        return refuse(535, `5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. ${tag}`);
      default:
        break;
    }
    state(session).user = user;
    log(true, '235 2.7.0 Authentication successful');
    callback(null, { user: user.username });
  }
  const serverOptions: SMTPServerOptions = {
    ...baseOptions,
    onMailFrom(address, session, callback) {
      const st = state(session);
      st.sendAsDenied = undefined;
      if (!session.user || !st.user) return callback(new SmtpReplyError(530, `5.7.57 Client not authenticated to send mail. ${tag}`));
      const from = address.address.toLowerCase();
      const allowed = st.user.anySender || from === st.user.username.toLowerCase() || (st.user.sendAs ?? []).some((a) => a.toLowerCase() === from);
      if (!allowed) {
        if (options.sendAsRefusal === 'mail') return callback(new SmtpReplyError(550, `5.7.60 SMTP; Client does not have permissions to send as this sender ${tag}`));
        st.sendAsDenied = address.address;
      }
      const refusal = options.pathRules?.mailFrom?.(address.address, st.user, tag);
      if (refusal) return callback(refusal);
      callback();
    },
    onRcptTo(address, session, callback) {
      const user = state(session).user;
      const refusal = user ? options.pathRules?.rcptTo?.(address.address, user, tag) : undefined;
      if (refusal) return callback(refusal);
      callback();
    },
    onData(stream, session, callback) {
      const st = state(session);
      readMessage(stream).then(
        (message) => {
          // Exchange Online decides Send As only here, after the final dot.
          if (st.sendAsDenied) return callback(sendAsDeniedReply(options.sendAsRefusal, st.user?.username ?? '', st.sendAsDenied, internal));
          const id = randomBytes(8).toString('hex');
          mailbox.add({ id, server: 'submission', user: st.user?.username, ...receivedMessage(session, message) });
          callback(null, `2.0.0 OK <${id}@${internal}> [Hostname=${internal}]`);
        },
      ).catch((err: Error) => callback(new SmtpReplyError(451, `4.3.0 Error storing the message: ${err.message}`)));
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  const host = options.host ?? '127.0.0.1';
  const port = await listenOn(server.server, host, options.port);
  return {
    host,
    port,
    messages: mailbox.messages,
    mailbox,
    authLog,
    close: () => closeServer(server),
  };
}
