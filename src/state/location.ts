// Where relaycheck keeps per-user state that must follow the sending account rather than the
// report folder (the send log behind the quota): one place per user, so that neither `--out` nor
// the working folder can reset a quota. In order: the plan's `stateDir:`, systemd's
// $STATE_DIRECTORY (StateDirectory= in a unit; the first of a colon-separated list), the XDG base
// directory $XDG_STATE_HOME/relaycheck, else ~/.local/state/relaycheck.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export type StateSource = 'plan' | 'STATE_DIRECTORY' | 'XDG_STATE_HOME' | 'home';

export interface StateLocation {
  dir: string;
  source: StateSource;
}

export function stateLocation(plan: { stateDir?: string }, env: NodeJS.ProcessEnv = process.env): StateLocation {
  if (plan.stateDir) return { dir: plan.stateDir, source: 'plan' };
  const systemd = (env.STATE_DIRECTORY ?? '').split(':')[0];
  if (systemd && isAbsolute(systemd)) return { dir: systemd, source: 'STATE_DIRECTORY' };
  // The XDG spec: a relative $XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return { dir: join(xdg, 'relaycheck'), source: 'XDG_STATE_HOME' };
  return { dir: join(env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir(), '.local', 'state', 'relaycheck'), source: 'home' };
}

/** The send log's file in the state folder. */
export const SEND_LOG_FILE = 'send-log.sqlite';

export function sendLogPath(plan: { stateDir?: string }, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateLocation(plan, env).dir, SEND_LOG_FILE);
}
