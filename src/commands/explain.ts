// `relaycheck explain "<text>"`: a pasted reply, NDR line, message trace status or client error
// (Postfix log line, PHPMailer output, a Python smtplib traceback) → what it means, the step it
// comes at, whether it can be undone, and the fix, from the reply table the checks use. No network.
import { explainReply, type ReplyExplanation } from '../exo/replies.js';
import { REVERSIBLE_TEXT, type ReplyContext, type ReplyRow } from '../exo/reply-table.js';
import { forTerminal } from '../report/sanitize.js';

export interface Explained {
  /** the part of the text that carries the reply */
  reply: string;
  explanation: ReplyExplanation & { row: ReplyRow };
}

/**
 * Python prints replies as (code, b'text') with escaped line breaks; Postfix and PHPMailer quote
 * them inline. Turn every form into plain reply lines.
 */
export function replyLines(text: string): string[] {
  const unwrapped = text
    .replace(/\((\d{3}),\s*b?(['"])((?:\\.|(?!\2).)*)\2/g, (_m, code: string, _q: string, body: string) => `\n${code} ${body.replace(/\\r\\n|\\n|\\r/g, ' ').replace(/\\(['"\\])/g, '$1')}\n`)
    .replace(/\\r\\n|\\n/g, '\n');
  return unwrapped
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Names the text gives away (SendAsDenied names both), so the fix can use them. */
function contextOf(text: string): ReplyContext {
  const sendAs = /([^\s;<>()]+@[^\s;<>()]+) not allowed to send as ([^\s;<>()]+@[^\s;<>()]+)/i.exec(text);
  if (sendAs) return { username: sendAs[1], from: sendAs[2].replace(/[.,]$/, '') };
  return {};
}

/** The replies the text holds, each explained once (in the order they appear). */
export function explainText(text: string): Explained[] {
  const out: Explained[] = [];
  const seen = new Set<string>();
  const ctx = contextOf(text);
  for (const line of replyLines(text)) {
    // The reply itself starts at its code; a log line's prefix is not part of it.
    const at = /\b[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b|\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(line);
    const reply = at ? line.slice(at.index) : line;
    const explanation = explainReply(reply, ctx) ?? explainReply(line, ctx);
    if (!explanation || seen.has(explanation.row.id)) continue;
    seen.add(explanation.row.id);
    out.push({ reply, explanation });
  }
  return out;
}

function render(e: Explained): string {
  const x = e.explanation;
  const rows: [string, string][] = [
    ['meaning', x.meaning],
    ['step', x.step ?? ''],
    ['reversible', REVERSIBLE_TEXT[x.row.reversible]],
    ['fix', x.fix],
  ];
  if (x.powershell) rows.push(['PowerShell', x.powershell]);
  rows.push(['source', x.row.source]);
  return [forTerminal(e.reply, 300), ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(12)}${forTerminal(v, 1000)}`)].join('\n');
}

/** Exit 0 when the text holds a reply of the table, 1 when it does not. */
export function explainCommand(text: string, format: 'text' | 'json'): { stdout: string; stderr: string; code: number } {
  const found = explainText(text);
  if (format === 'json') {
    const json = found.map((e) => ({ reply: e.reply, id: e.explanation.row.id, meaning: e.explanation.meaning, step: e.explanation.step, reversible: e.explanation.row.reversible, fix: e.explanation.fix, powershell: e.explanation.powershell ?? null, source: e.explanation.row.source }));
    return { stdout: `${JSON.stringify(json, null, 2)}\n`, stderr: found.length ? '' : 'relaycheck: no Exchange Online reply recognised in the text\n', code: found.length ? 0 : 1 };
  }
  if (!found.length) {
    return { stdout: '', stderr: 'relaycheck: no Exchange Online reply recognised in the text (paste the line with the reply code, e.g. "550 5.7.60 …")\n', code: 1 };
  }
  return { stdout: `${found.map(render).join('\n\n')}\n`, stderr: '', code: 0 };
}
