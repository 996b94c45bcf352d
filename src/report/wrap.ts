// Plain-text layout for terminals: word wrap to a width, host names broken after dots instead of
// cut, one-line clipping, the width to render for, durations. No dependencies: the lab and the
// console report share it.

/** Narrower than this, a table cannot hold a readable message column. */
export const MIN_WIDTH = 60;
export const DEFAULT_WIDTH = 100;

/** The width to render for: the terminal's, else COLUMNS, else 100 (piped, cron). */
export function terminalWidth(columns: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (columns && columns > 0) return columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
}

/** "450 ms" under a second, "1.2 s" above. */
export function duration(ms: number): string {
  const n = Number.isFinite(ms) && ms > 0 ? ms : 0;
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`;
}

/**
 * Host names and check ids have no spaces, so the table would cut them; break them after a dot,
 * dash or colon instead, so that the whole name (and the port) stays readable and copyable.
 */
export function breakLong(text: string, width: number): string {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    // After a dot or dash; before a colon, so a port stays ":25".
    const after = Math.max(rest.lastIndexOf('.', width - 1), rest.lastIndexOf('-', width - 1)) + 1;
    const before = rest.lastIndexOf(':', width);
    const cut = Math.max(after, before);
    const at = cut > 0 ? cut : width;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  lines.push(rest);
  return lines.join('\n');
}

/**
 * Greedy word wrap to `width` columns: the first line keeps the text's own leading spaces, the
 * others start with `indent`; words longer than a line are broken with breakLong.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    const lead0 = /^ */.exec(paragraph)![0];
    let line = '';
    let started = false;
    for (const word of paragraph.slice(lead0.length).split(/ +/)) {
      if (!word) continue;
      if (started && line.length + 1 + word.length <= width) {
        line += ` ${word}`;
        continue;
      }
      if (started) out.push(line);
      const lead = started || out.length ? indent : lead0;
      const room = Math.max(8, width - lead.length);
      const pieces = word.length > room ? breakLong(word, room).split('\n') : [word];
      for (let i = 0; i < pieces.length - 1; i++) out.push((i === 0 ? lead : indent) + pieces[i]);
      line = (pieces.length > 1 ? indent : lead) + pieces[pieces.length - 1];
      started = true;
    }
    out.push(started ? line : lead0);
  }
  return out;
}

/** One line, cut with "…" to fit. */
export function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

