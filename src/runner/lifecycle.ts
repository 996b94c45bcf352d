// A relaycheck process always ends with a verdict. Cron, systemd and Nagios read the exit code:
// a process that just stops (exit 0, no output) reads as "all good".
//
//   guardProcess(onEmptyLoop)   once at start: if the event loop empties before the command has
//                               settled (a plugin's top-level await or probe that never settles
//                               and holds nothing open), say so in one line and exit 2 (the
//                               caller decides: nagios 3). A stray promise rejection (a plugin's)
//                               is one line on stderr, never the end of the run.
//   commandSettled()            the command has its exit code: exit once stdout and stderr are
//                               flushed, even if a plugin left a timer or a socket open.
//   onTermination(handler)      SIGINT, SIGTERM and SIGHUP all end a run the same way (partial
//                               report, exit 1); a second one ends the process at once.
import { redactText } from '../report/redact.js';

let settled = false;
let installed = false;
/** What the process is doing, for the one-line message when it stops without a verdict. */
let phase = 'starting';

export function setPhase(text: string): void {
  phase = text;
}

export function guardProcess(onEmptyLoop: (message: string) => void): void {
  if (installed) return;
  installed = true;
  process.on('beforeExit', () => {
    if (settled) return;
    settled = true;
    onEmptyLoop(`the process ran out of work before it had a verdict (${phase}): a plugin awaits something that never happens`);
  });
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? reason.message : String(reason);
    process.stderr.write(`relaycheck: ignored an unhandled promise rejection (a plugin's?) during ${phase}: ${redactText(text).split('\n')[0].slice(0, 300)}\n`);
  });
}

/** How long to let stdout and stderr drain before ending a process something else keeps alive. */
const EXIT_GRACE_MS = 200;

export function commandSettled(): void {
  settled = true;
  // Whatever a plugin left behind (a timer, a socket) must not keep the process alive: the
  // verdict is in process.exitCode. The timer does not itself hold the process open.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

export type TerminationSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
const SIGNALS: TerminationSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const EXIT_CODE: Record<TerminationSignal, number> = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };

/**
 * Calls `handler` on the first SIGINT, SIGTERM or SIGHUP; a second signal ends the process at
 * once with 128 + the signal number. Returns the function that removes the handlers.
 */
export function onTermination(handler: (signal: TerminationSignal) => void): () => void {
  let received = false;
  const listeners = SIGNALS.map((signal) => {
    const listener = () => {
      if (received) process.exit(EXIT_CODE[signal]);
      received = true;
      handler(signal);
    };
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}
