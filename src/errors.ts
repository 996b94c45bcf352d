// Errors that end a run before anything is probed: they exit 2 with a clear message, never a
// stack trace (the CLI prints `message` only).

export interface Problem {
  file?: string;
  line?: number;
  column?: number;
  /** "connectors[1].tls.mode" */
  path?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}` : '';
  const path = p.path ? `${p.path}: ` : '';
  return `${where ? `${where}: ` : ''}${path}${p.message}`;
}

/** The plan (or a plugin, or the command line) cannot be used. Exit code 2. */
export class UsageError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[] | string) {
    const list = typeof problems === 'string' ? [{ message: problems }] : problems;
    super(list.map(formatProblem).join('\n'));
    this.name = 'UsageError';
    this.problems = list;
  }
}
