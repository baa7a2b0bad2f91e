/**
 * The lexical layer of the model language. odeforge reads every expression itself before nerdamer sees it,
 * because nerdamer reads some malformed input silently (`foo(x)` as foo*x, `x y` as x*y, `''` as 0) and
 * rounds numeric literals to fractions. Tokens carry their position for error messages.
 */

/**
 * `index-open` and `index-close` are the brackets of an array parameter's entry, `M[1][0]`: a '[' is one only
 * right after a name or another index, and a ']' only closes such a '[' (anywhere else both stay unexpected
 * characters, as before array parameters existed).
 */
export type TokenKind =
  | 'number'
  | 'name'
  | 'function'
  | 'operator'
  | 'open'
  | 'close'
  | 'comma'
  | 'index-open'
  | 'index-close';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Offset of the first character in the source text. */
  readonly pos: number;
  /** For numbers: the exact double the text denotes. */
  readonly value?: number;
}

export class LexError extends Error {
  constructor(
    readonly pos: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

// Numeric literals in every JavaScript notation: decimal with optional fraction and exponent, hex, octal,
// binary, with numeric separators between digits. Legacy octal (017) and BigInt (10n) are not numbers here.
const DIGITS = '\\d(?:_?\\d)*';
const NUMBER_PATTERNS = [
  /^0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*/,
  /^0[oO][0-7](?:_?[0-7])*/,
  /^0[bB][01](?:_?[01])*/,
  new RegExp(`^(?:(?:0|[1-9](?:_?\\d)*)(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?`),
];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATOR = /^(?:\*\*|[-+*/^])/;

/** Splits an expression into tokens, or throws a LexError naming the first character it cannot read. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  // Whether a '[' of an index is waiting for its ']' (indices do not nest: `M[N[0]]` is refused here).
  let inIndex = false;
  while (pos < text.length) {
    const rest = text.slice(pos);
    const ws = /^[ \t]+/.exec(rest);
    if (ws) {
      pos += ws[0].length;
      continue;
    }
    const number = NUMBER_PATTERNS.map((p) => p.exec(rest)).find((m) => m !== null);
    if (number && !(number[0] === '0' && /^0\d/.test(rest))) {
      const literal = number[0];
      const after = rest.charAt(literal.length);
      if (/[A-Za-z0-9_.]/.test(after)) {
        const bad = /^[A-Za-z0-9_.]+/.exec(rest)![0];
        throw new LexError(pos, `malformed number '${bad}'`);
      }
      const value = Number(literal.replaceAll('_', ''));
      if (!Number.isFinite(value)) throw new LexError(pos, `number '${literal}' is too large for a double`);
      tokens.push({ kind: 'number', text: literal, pos, value });
      pos += literal.length;
      continue;
    }
    if (/^\d/.test(rest)) {
      const bad = /^[A-Za-z0-9_.]+/.exec(rest)![0];
      throw new LexError(pos, `malformed number '${bad}'`);
    }
    const name = NAME.exec(rest);
    if (name) {
      const isCall = /^[ \t]*\(/.test(rest.slice(name[0].length));
      tokens.push({ kind: isCall ? 'function' : 'name', text: name[0], pos });
      pos += name[0].length;
      continue;
    }
    const op = OPERATOR.exec(rest);
    if (op) {
      tokens.push({ kind: 'operator', text: op[0], pos });
      pos += op[0].length;
      continue;
    }
    // A whole code point, so a character outside the BMP (e.g. U+1D465 '𝑥') is named as itself, not as a
    // lone surrogate.
    const c = String.fromCodePoint(rest.codePointAt(0)!);
    const previous = tokens[tokens.length - 1]?.kind;
    if (c === '[' && !inIndex && (previous === 'name' || previous === 'index-close')) {
      tokens.push({ kind: 'index-open', text: c, pos });
      inIndex = true;
      pos += 1;
      continue;
    }
    if (c === ']' && inIndex) {
      tokens.push({ kind: 'index-close', text: c, pos });
      inIndex = false;
      pos += 1;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'open' : c === ')' ? 'close' : 'comma', text: c, pos });
      pos += 1;
      continue;
    }
    const code = c.codePointAt(0)!;
    const shown = code < 0x20 || code > 0x7e ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
    throw new LexError(pos, `unexpected character ${shown}`);
  }
  return tokens;
}
