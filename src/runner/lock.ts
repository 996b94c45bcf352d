// One run of a plan at a time: a second run of the same plan (cron overlapping a run by hand, a
// slow night) exits at once, naming the run that holds the plan, instead of interleaving its
// history and its send log with the first. The lock is a file created exclusively beside the
// store, holding the holder's pid; a lock whose process is gone is taken over.
import { closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { planStem } from '../report/names.js';

export interface PlanLock {
  file: string;
  release(): void;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** The lock file of a plan: in the folder of its store (the history it protects). */
export function lockFileFor(planFile: string, storeFile: string): string {
  return join(dirname(storeFile), `.${planStem(planFile)}.lock`);
}

/**
 * Takes the plan's lock or throws a UsageError (exit 2; 3 under --format nagios) naming the pid
 * that holds it. A folder that cannot take a lock file leaves the run unlocked: the store then
 * reports its own error.
 */
export function lockPlan(planFile: string, storeFile: string): PlanLock | undefined {
  const file = lockFileFor(planFile, storeFile);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch {
    return undefined;
  }
  for (let attempt = 0; attempt < 4; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return undefined;
      let holder = NaN;
      let since = '';
      try {
        const [pid, at] = readFileSync(file, 'utf8').trim().split(/\s+/);
        holder = Number(pid);
        since = at ?? '';
      } catch {
        // being written or removed right now: look again
      }
      if (alive(holder)) {
        throw new UsageError([{ file: planFile, message: `another run of this plan is in progress (pid ${holder}${since ? `, since ${since}` : ''}); this run did nothing. Lock file: ${file}` }]);
      }
      if (Number.isFinite(holder) || attempt === 2) rmSync(file, { force: true }); // the holder died: take over
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25); // being written: look again shortly
      continue;
    }
    writeSync(fd, `${process.pid} ${new Date().toISOString()}\n`);
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      try {
        if (readFileSync(file, 'utf8').split(/\s+/)[0] === String(process.pid)) rmSync(file, { force: true });
      } catch {
        // already gone
      }
    };
    process.on('exit', release);
    return { file, release };
  }
  throw new UsageError([{ file: planFile, message: `cannot take the run lock ${file}: it keeps changing; is another run starting?` }]);
}
