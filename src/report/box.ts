// A bordered table of cells already wrapped to their columns, drawn line by line. The console
// used cli-table3 here; it measures every cell with string-width, which builds and runs its
// emoji expression on each call: about 1 ms per row even for short single-line cells, 35 ms for
// a wrapped one, seconds for a failing 100-endpoint plan. This draws the same frame in
// microseconds. (cli-table3 still draws the small `checks` and `history` tables.)

const ANSI = /\u001b\[[0-9;]*m/g;
// East Asian wide and fullwidth forms take two columns; astral characters (emoji) too.
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\ud800-\udbff][\udc00-\udfff]/g;

/** Columns a line takes in a terminal (colour codes take none). */
export function displayWidth(text: string): number {
  const plain = text.includes('\u001b') ? text.replace(ANSI, '') : text;
  let n = plain.length;
  if (/[^\u0000-\u10ff]/.test(plain)) {
    for (const m of plain.matchAll(WIDE)) n += m[0].length === 2 ? 0 : 1;
  }
  return n;
}

/** Cuts a line (without colour codes) to `width` columns. */
function fit(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * Draws rows of cells (each cell a list of lines) in columns of the given content widths, with
 * one space of padding and a rule between rows. Total width: sum(widths) + 3 × columns + 1.
 */
export function drawBox(rows: string[][][], widths: number[], border: (s: string) => string = (s) => s): string[] {
  const rule = (l: string, m: string, r: string) => border(l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r);
  const out = [rule('┌', '┬', '┐')];
  const between = rule('├', '┼', '┤');
  const bar = border('│');
  rows.forEach((cells, i) => {
    if (i > 0) out.push(between);
    const height = Math.max(1, ...cells.map((c) => c.length));
    for (let l = 0; l < height; l++) {
      const parts = widths.map((w, c) => {
        const text = fit(cells[c]?.[l] ?? '', w);
        return ` ${text}${' '.repeat(Math.max(0, w - displayWidth(text)))} `;
      });
      out.push(bar + parts.join(bar) + bar);
    }
  });
  out.push(rule('└', '┴', '┘'));
  return out;
}
