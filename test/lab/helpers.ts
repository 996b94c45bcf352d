// Shared by the in-process lab tests: an Io that keeps what the lab prints, and a probe for
// whether a lab server has stopped listening.
import { connect } from 'node:net';
import type { Io } from '../../src/commands/run.js';

/** An Io for runLab: stdout and stderr kept apart, and `text()` for both in the order written. */
export function captureIo(overrides: Partial<Io> = {}): Io & { out: string[]; err: string[]; text: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const both: string[] = [];
  return {
    out,
    err,
    text: () => both.join(''),
    stdout: (t) => void (out.push(t), both.push(t)),
    stderr: (t) => void (err.push(t), both.push(t)),
    stderrIsTty: false,
    stdoutIsTty: false,
    color: false,
    width: 120,
    ...overrides,
  };
}

/** Resolves true when nothing listens on 127.0.0.1:port any more. */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}
