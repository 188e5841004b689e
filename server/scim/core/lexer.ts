// A cursor over filter and path text (RFC 7644 §3.4.2.2 ABNF, §3.10 attribute notation). Errors
// say what was expected at which character (1-based) and what was found there.
import { ScimRequestError, quote } from './errors.ts';
import type { AttrPath } from './schema.ts';

export const MAX_TEXT = 10_000;
export const MAX_DEPTH = 50;

const NAME_CHAR = /[A-Za-z0-9:._$-]/;
const ATTRNAME = /^(?:[A-Za-z][\w-]*|\$ref)$/;
const URI = /^[A-Za-z][\w.:+-]*$/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export class Cursor {
  pos = 0;
  readonly text: string;
  readonly scimType: 'invalidFilter' | 'invalidPath';
  constructor(text: string, scimType: 'invalidFilter' | 'invalidPath') {
    this.text = text;
    this.scimType = scimType;
  }

  error(message: string, at = this.pos): ScimRequestError {
    return new ScimRequestError(400, this.scimType, `${message} at character ${at + 1} of ${quote(this.text, 200)}`);
  }

  /** "Expected X at character N, found Y": Y is the next word or character, or the end. */
  fail(expected: string, at = this.pos): never {
    throw this.error(`Expected ${expected}, found ${this.found(at)},`, at);
  }

  found(at = this.pos): string {
    if (at >= this.text.length) return 'the end';
    const m = /^[^\s()[\]]+/.exec(this.text.slice(at, at + 40));
    return quote(m ? m[0] : this.text[at], 30);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  /** Skips spaces (and tabs and line breaks, to be liberal); says whether there were any. */
  skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
    return this.pos > start;
  }

  eat(ch: string): boolean {
    if (this.text[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  expect(ch: string): void {
    if (!this.eat(ch)) this.fail(JSON.stringify(ch));
  }

  /** A run of letters: keywords (and, or, not, pr, eq, ...). Not consumed. */
  peekWord(): string {
    const m = /^[A-Za-z]+/.exec(this.text.slice(this.pos, this.pos + 8));
    return m ? m[0].toLowerCase() : '';
  }

  /** The keyword `word` (any case) when it stands alone here; consumed when it does. */
  eatKeyword(word: string): boolean {
    const end = this.pos + word.length;
    if (this.text.slice(this.pos, end).toLowerCase() !== word) return false;
    if (end < this.text.length && NAME_CHAR.test(this.text[end])) return false;
    this.pos = end;
    return true;
  }

  /** `[URI ":"] ATTRNAME ["." ATTRNAME]`, split and checked; `what` names it in errors. */
  readAttrPath(what = 'an attribute path'): AttrPath {
    const start = this.pos;
    while (this.pos < this.text.length && NAME_CHAR.test(this.text[this.pos])) this.pos++;
    const token = this.text.slice(start, this.pos);
    if (token === '') this.fail(what, start);
    const colon = token.lastIndexOf(':');
    const rest = token.slice(colon + 1);
    const dot = rest.indexOf('.');
    const attr = dot >= 0 ? rest.slice(0, dot) : rest;
    const sub = dot >= 0 ? rest.slice(dot + 1) : undefined;
    if (colon >= 0 && !URI.test(token.slice(0, colon))) this.fail(`${what} (a schema URN, then ":" and an attribute name)`, start);
    if (!ATTRNAME.test(attr)) this.fail(`${what} (an attribute name starts with a letter)`, start + colon + 1);
    if (sub !== undefined && !ATTRNAME.test(sub)) this.fail('a sub-attribute name after "."', start + colon + 2 + dot);
    return { ...(colon >= 0 ? { schema: token.slice(0, colon) } : {}), attr, ...(sub !== undefined ? { sub } : {}) };
  }

  /** compValue = false / null / true / number / string (JSON). */
  readValue(): string | number | boolean | null {
    const start = this.pos;
    if (this.peek() === '"') return this.readString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.eatKeyword(word)) return value;
    }
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.text);
    if (m && !NAME_CHAR.test(this.text[start + m[0].length] ?? ' ')) {
      const n = Number(m[0]);
      if (Number.isFinite(n)) {
        this.pos = start + m[0].length;
        return n;
      }
    }
    this.fail('a value (a "quoted string", a number, true, false or null)', start);
  }

  private readString(): string {
    const start = this.pos;
    let i = start + 1;
    while (i < this.text.length && this.text[i] !== '"') i += this.text[i] === '\\' ? 2 : 1;
    if (i >= this.text.length) this.fail("a closing '\"' for the string that starts here", start);
    try {
      const value = JSON.parse(this.text.slice(start, i + 1)) as string;
      this.pos = i + 1;
      return value;
    } catch {
      throw this.error('Invalid JSON string (check its escapes and control characters)', start);
    }
  }
}
