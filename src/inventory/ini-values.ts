/**
 * Value handling for Ansible's INI inventory grammar: host lines are split shell-style
 * (Python's shlex with comments), and each value is read as a Python literal when it is one
 * (ansible-core's `ast.literal_eval`), else kept as a string. So `ansible_port=2301` is a number,
 * `flag=True` a boolean, `roles="['a', 'b']"` a list, `x=yes` the string "yes".
 */
import { InventoryError } from '../core/errors.js';

export interface Token {
  text: string;
  /** 0-based offset of the token's first character in the line. */
  offset: number;
}

// deep-nesting: one scanner over the line (shlex's): words, quotes and escapes share the index; split, it would be passed around.
export function shlexSplit(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    const start = i;
    let text = '';
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === "'" || c === '"') {
        const close = findClose(line, i);
        if (close < 0) throw new InventoryError('No closing quotation', { col: i + 1 });
        const inner = line.slice(i + 1, close);
        text += c === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
        i = close + 1;
      } else if (c === '\\' && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    tokens.push({ text, offset: start });
  }
  return tokens;
}

function findClose(line: string, open: number): number {
  const q = line[open];
  for (let j = open + 1; j < line.length; j++) {
    if (q === '"' && line[j] === '\\') j++;
    else if (line[j] === q) return j;
  }
  return -1;
}

/** `ast.literal_eval` for the literals inventories use; anything else stays the string it was. */
export function parsePythonLiteral(text: string): unknown {
  const parser = new LiteralParser(text);
  try {
    const value = parser.value();
    parser.ws();
    return parser.done() ? value : text;
  } catch {
    return text;
  }
}

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.i >= this.s.length;
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '[') return this.seq('[', ']');
    if (c === '(') return this.seq('(', ')');
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') return this.str();
    // Python 3 string prefixes: u'' is a plain string, r'' keeps its backslashes.
    if (/^[uUrR]['"]/.test(this.s.slice(this.i))) {
      const raw = /[rR]/.test(this.s[this.i++]!);
      return this.str(raw);
    }
    const word = /^(True|False|None)\b/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[0].length;
      return word[0] === 'True' ? true : word[0] === 'False' ? false : null;
    }
    const num = /^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?)/.exec(this.s.slice(this.i));
    if (num && num[0] !== '' && !/^[-+]?0\d/.test(num[0])) {
      this.i += num[0].length;
      const t = num[0].replace(/_/g, '');
      const n = /0[xXoObB]/.test(t) ? sign(t) * Number(t.replace(/^[-+]/, '')) : Number(t);
      if (Number.isNaN(n)) throw new Error('not a number');
      return n;
    }
    throw new Error('not a literal');
  }

  private seq(open: string, close: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw new Error(`expected , or ${close} after ${open}`);
    }
  }

  private dict(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value();
      this.ws();
      if (this.s[this.i] !== ':') throw new Error('expected :');
      this.i++;
      out[String(key)] = this.value();
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new Error('expected , or }');
    }
  }

  private str(raw = false): string {
    const q = this.s[this.i]!;
    let out = '';
    for (this.i++; this.i < this.s.length; this.i++) {
      const c = this.s[this.i]!;
      if (c === q) {
        this.i++;
        return out;
      }
      if (c === '\\' && raw) {
        out += c + (this.s[++this.i] ?? '');
      } else if (c === '\\') {
        const n = this.s[++this.i];
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '0' ? '\0' : (n ?? '');
      } else out += c;
    }
    throw new Error('unterminated string');
  }
}

const sign = (t: string) => (t.startsWith('-') ? -1 : 1);
