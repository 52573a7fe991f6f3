/**
 * A small JSON reader that remembers where every value stood, so a fixture's mistakes (a missing comma, a
 * misspelled key, an unknown variable in a string) are reported by file and line — JSON.parse gives neither
 * reliably across Node versions. Strict RFC 8259: no comments, no trailing commas.
 */
export type JsonNode =
  | { readonly kind: 'object'; readonly line: number; readonly entries: ReadonlyArray<{ readonly key: string; readonly keyLine: number; readonly value: JsonNode }> }
  | { readonly kind: 'array'; readonly line: number; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly line: number; readonly value: string }
  | { readonly kind: 'number'; readonly line: number; readonly value: number }
  | { readonly kind: 'boolean'; readonly line: number; readonly value: boolean }
  | { readonly kind: 'null'; readonly line: number };

export class JsonSyntaxError extends Error {
  constructor(readonly line: number, readonly column: number, message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export function parseJsonSource(text: string): JsonNode {
  const p = new Reader(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  p.ws();
  const v = p.value();
  p.ws();
  if (!p.atEnd()) p.fail('unexpected text after the end of the JSON value');
  return v;
}

/** The member of an object node, or undefined. */
export function member(node: JsonNode, key: string): JsonNode | undefined {
  return node.kind === 'object' ? node.entries.find((e) => e.key === key)?.value : undefined;
}

class Reader {
  private i = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  fail(message: string): never {
    throw new JsonSyntaxError(this.line, this.i - this.lineStart + 1, message);
  }

  ws(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === '\n') {
        this.i++;
        this.line++;
        this.lineStart = this.i;
      } else if (c === ' ' || c === '\t' || c === '\r') this.i++;
      else return;
    }
  }

  value(): JsonNode {
    const c = this.s[this.i];
    const line = this.line;
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'string', line, value: this.string() };
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, node] of [['true', { kind: 'boolean', line, value: true }], ['false', { kind: 'boolean', line, value: false }], ['null', { kind: 'null', line }]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return node;
      }
    }
    if (c === undefined) this.fail('the JSON ends where a value was expected');
    this.fail(`unexpected character ${JSON.stringify(c)} where a value was expected`);
  }

  private object(): JsonNode {
    const line = this.line;
    this.i++;
    const entries: { key: string; keyLine: number; value: JsonNode }[] = [];
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return { kind: 'object', line, entries };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail(this.s[this.i] === '}' ? 'trailing comma before }' : 'expected a "quoted" key');
      const keyLine = this.line;
      const key = this.string();
      if (entries.some((e) => e.key === key)) this.fail(`duplicate key "${key}"`);
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`expected : after the key "${key}"`);
      this.i++;
      this.ws();
      entries.push({ key, keyLine, value: this.value() });
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return { kind: 'object', line, entries };
      }
      this.fail(`expected , or } after the value of "${key}"`);
    }
  }

  private array(): JsonNode {
    const line = this.line;
    this.i++;
    const items: JsonNode[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return { kind: 'array', line, items };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') this.fail('trailing comma before ]');
      items.push(this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return { kind: 'array', line, items };
      }
      this.fail('expected , or ] after an array element');
    }
  }

  private string(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\\') {
        const e = this.s[this.i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          this.i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) {
          out += String.fromCharCode(parseInt(this.s.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else this.fail(`invalid escape \\${e ?? ''} in a string`);
        continue;
      }
      if (c < ' ') this.fail('control character in a string');
      out += c;
      this.i++;
    }
  }

  private number(): JsonNode {
    const line = this.line;
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) this.fail('invalid number');
    this.i += m[0].length;
    return { kind: 'number', line, value: Number(m[0]) };
  }
}
