// A small, strict reader for the PowerShell relaycheck writes: `$splat = @{ Key = value … }` followed
// by `Cmdlet @splat`, and one-line `Cmdlet -Param value -Switch` commands, with literal values only:
// 'single-quoted' strings (quotes doubled, typographic quotes too), ('a' + [char]0x0A + 'b'),
// $true, $false, $null, numbers, @('a', 'b'), and bare words such as CertificateValidation.
// Anything else (pipelines, variables other than a splat, subexpressions, double-quoted strings,
// backtick continuations) is an error: this is what lets `relaycheck powershell` re-emit a check's
// fix line only when it is a plain cmdlet call, and what the round-trip tests read back.

export type PsValue = string | number | boolean | null | PsValue[];

export interface PsCommand {
  cmdlet: string;
  /** parameter name (as written, without the dash) → value; a switch is `true` */
  params: Record<string, PsValue>;
  /**
   * How each command-line parameter was written: a switch (-Force), with a colon (-Confirm:$false),
   * or with a bare-word value (-TlsSettings CertificateValidation). Splatted parameters have none.
   */
  forms: Record<string, { switch?: boolean; colon?: boolean; bare?: boolean }>;
  /** the splat variable the parameters came from, if any */
  splat?: string;
  /** 1-based line of the command */
  line: number;
}

export class PsParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'PsParseError';
  }
}

const QUOTE = /['\u2018\u2019\u201a\u201b]/;
const CMDLET = /^[A-Za-z]+-[A-Za-z0-9]+$/;
const BARE = /^[A-Za-z0-9_.:@*/\\+-]+$/;

export function parsePowerShell(script: string): PsCommand[] {
  const p = new Parser(script);
  return p.script();
}

/** Parses exactly one plain cmdlet call (a fix line); throws PsParseError otherwise. */
export function parseCommandLine(line: string): PsCommand {
  const commands = parsePowerShell(line);
  if (commands.length !== 1) throw new PsParseError(`expected one command (found ${commands.length})`, 1);
  return commands[0];
}

class Parser {
  private pos = 0;
  private lineNo = 1;
  private readonly vars = new Map<string, Record<string, PsValue>>();
  constructor(private readonly src: string) {}

  private fail(msg: string): never {
    throw new PsParseError(msg, this.lineNo);
  }
  private peek(n = 0): string {
    return this.src[this.pos + n] ?? '';
  }
  private next(): string {
    const ch = this.src[this.pos++] ?? '';
    if (ch === '\n') this.lineNo++;
    return ch;
  }
  private eof(): boolean {
    return this.pos >= this.src.length;
  }
  /** spaces and tabs (and comments) within a line */
  private spaces(): void {
    for (;;) {
      const ch = this.peek();
      if (ch === ' ' || ch === '\t') this.pos++;
      else if (ch === '#') while (!this.eof() && this.peek() !== '\n') this.pos++;
      else if (ch === '`') this.fail('backtick escapes and line continuations are not accepted');
      else return;
    }
  }
  /** spaces, comments and line breaks */
  private blank(): void {
    for (;;) {
      this.spaces();
      const ch = this.peek();
      if (ch === '\n' || ch === '\r') this.next();
      else return;
    }
  }
  private word(): string {
    const start = this.pos;
    while (!this.eof() && /[A-Za-z0-9_\-.:@*/\\+]/.test(this.peek())) this.pos++;
    return this.src.slice(start, this.pos);
  }
  private endOfStatement(): void {
    this.spaces();
    const ch = this.peek();
    if (ch === ';') {
      this.pos++;
      return;
    }
    if (ch === '\n' || ch === '\r' || this.eof()) return;
    this.fail(`unexpected ${JSON.stringify(ch)}`);
  }

  script(): PsCommand[] {
    const out: PsCommand[] = [];
    for (;;) {
      this.blank();
      if (this.eof()) return out;
      if (this.peek() === ';') {
        this.pos++;
        continue;
      }
      const line = this.lineNo;
      if (this.peek() === '$') {
        this.pos++;
        const name = this.word();
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.fail('expected a variable name');
        this.spaces();
        if (this.next() !== '=') this.fail('expected = after the variable');
        this.spaces();
        if (!(this.peek() === '@' && this.peek(1) === '{')) this.fail('only hashtable (@{ … }) assignments are accepted');
        this.pos += 2;
        this.vars.set(name.toLowerCase(), this.hashtable());
        this.endOfStatement();
        continue;
      }
      const cmdlet = this.word();
      if (!CMDLET.test(cmdlet)) this.fail(`expected a cmdlet (Verb-Noun), found ${JSON.stringify(cmdlet || this.peek())}`);
      const cmd: PsCommand = { cmdlet, params: {}, forms: {}, line };
      for (;;) {
        this.spaces();
        const ch = this.peek();
        if (ch === '' || ch === '\n' || ch === '\r' || ch === ';') break;
        if (ch === '@') {
          this.pos++;
          const v = this.word();
          const table = this.vars.get(v.toLowerCase());
          if (!table) this.fail(`splat @${v} is not a hashtable assigned above`);
          Object.assign(cmd.params, table);
          cmd.splat = v;
          continue;
        }
        if (ch !== '-') this.fail(`expected a -Parameter, found ${JSON.stringify(ch)}`);
        this.pos++;
        const name = this.paramName();
        if (name in cmd.params) this.fail(`-${name} is given twice`);
        if (this.peek() === ':') {
          this.pos++;
          cmd.forms[name] = { colon: true };
          cmd.params[name] = this.value(true);
          continue;
        }
        this.spaces();
        const after = this.peek();
        if (after === '' || after === '\n' || after === '\r' || after === ';' || after === '-' || (after === '@' && this.peek(1) !== '(')) {
          cmd.forms[name] = { switch: true };
          cmd.params[name] = true;
        } else {
          const bare = /[A-Za-z_]/.test(after);
          cmd.params[name] = this.value(true);
          cmd.forms[name] = bare ? { bare: true } : {};
        }
      }
      this.endOfStatement();
      out.push(cmd);
    }
  }

  private paramName(): string {
    const start = this.pos;
    while (/[A-Za-z0-9_]/.test(this.peek())) this.pos++;
    const name = this.src.slice(start, this.pos);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) this.fail('expected a parameter name after -');
    return name;
  }

  private hashtable(): Record<string, PsValue> {
    const table: Record<string, PsValue> = {};
    for (;;) {
      this.blank();
      if (this.peek() === ';') {
        this.pos++;
        continue;
      }
      if (this.peek() === '}') {
        this.pos++;
        return table;
      }
      if (this.eof()) this.fail('unterminated @{');
      const key = this.paramName();
      if (Object.keys(table).some((k) => k.toLowerCase() === key.toLowerCase())) this.fail(`key ${key} appears twice`);
      this.spaces();
      if (this.next() !== '=') this.fail(`expected = after ${key}`);
      this.spaces();
      table[key] = this.value(false);
      this.spaces();
      const ch = this.peek();
      if (ch !== '\n' && ch !== '\r' && ch !== ';' && ch !== '}') this.fail(`unexpected ${JSON.stringify(ch)} after the value of ${key}`);
    }
  }

  private value(argumentMode: boolean): PsValue {
    const ch = this.peek();
    if (QUOTE.test(ch)) return this.quoted();
    if (ch === '$') {
      this.pos++;
      const w = this.word().toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
      this.fail(`variable $${w} is not accepted (only $true, $false, $null)`);
    }
    if (ch === '@' && this.peek(1) === '(') {
      this.pos += 2;
      const items: PsValue[] = [];
      this.blank();
      if (this.peek() === ')') {
        this.pos++;
        return items;
      }
      for (;;) {
        this.blank();
        items.push(this.value(false));
        this.blank();
        const sep = this.next();
        if (sep === ')') return items;
        if (sep !== ',') this.fail('expected , or ) in @( … )');
      }
    }
    if (ch === '(') {
      this.pos++;
      let out = '';
      for (;;) {
        this.spaces();
        if (QUOTE.test(this.peek())) out += this.quoted();
        else if (this.src.startsWith('[char]', this.pos)) {
          this.pos += 6;
          const num = this.word();
          const code = /^0x[0-9a-f]+$/i.test(num) ? parseInt(num.slice(2), 16) : /^\d+$/.test(num) ? Number(num) : NaN;
          if (!Number.isInteger(code) || code > 0xffff) this.fail('expected a character code after [char]');
          out += String.fromCharCode(code);
        } else this.fail("expected 'text' or [char]code in ( … )");
        this.spaces();
        const sep = this.next();
        if (sep === ')') return out;
        if (sep !== '+') this.fail('expected + or ) in ( … )');
      }
    }
    if (ch === '"' || ch === '\u201c' || ch === '\u201d' || ch === '\u201e') this.fail('double-quoted strings are not accepted (they expand $variables)');
    const w = this.word();
    if (!w) this.fail(`unexpected ${JSON.stringify(ch)}`);
    if (/^-?\d+(\.\d+)?$/.test(w)) return Number(w);
    if (!argumentMode) this.fail(`bare word ${JSON.stringify(w)} where a value is expected`);
    if (!BARE.test(w)) this.fail(`unexpected ${JSON.stringify(w)}`);
    return w;
  }

  private quoted(): string {
    this.next(); // the opening quote
    let out = '';
    for (;;) {
      if (this.eof()) this.fail('unterminated string');
      const c = this.next();
      if (QUOTE.test(c)) {
        if (!QUOTE.test(this.peek())) return out;
        out += this.next(); // a doubled quote stands for the second one, as PowerShell reads it
        continue;
      }
      out += c;
    }
  }
}
