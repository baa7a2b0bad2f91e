/**
 * A lexer for the generated code, good enough to tell where user text lands: comments, string literals,
 * identifiers, numbers and punctuation, by the rules of the target language for what ends a comment or a
 * string (TypeScript: line terminators \n \r U+2028 U+2029, template literals; C++: a backslash before the
 * newline continues a line comment, character literals; WGSL: nested block comments, U+0085/U+2028/U+2029/
 * \v/\f end a line comment). A user name that could end a comment or a string early, or open one, changes the
 * token stream — which is what the injection test compares.
 */

export type Language = 'ts' | 'c' | 'wgsl';
export type TokenKind = 'comment' | 'string' | 'identifier' | 'number' | 'punct' | 'space';

export interface CodeToken {
  readonly kind: TokenKind;
  readonly text: string;
}

const LINE_END: Record<Language, RegExp> = {
  ts: /[\n\r\u2028\u2029]/,
  c: /\n/,
  wgsl: /[\n\r\v\f\u0085\u2028\u2029]/,
};

export function lex(code: string, language: Language): CodeToken[] {
  const tokens: CodeToken[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    tokens.push({ kind, text: code.slice(i, end) });
    i = end;
  };
  while (i < code.length) {
    const c = code[i]!;
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      let j = i + 2;
      while (j < code.length && !LINE_END[language].test(code[j]!)) {
        // C: a backslash at the end of a line comment's line continues it on the next line.
        if (language === 'c' && code[j] === '\\' && code[j + 1] === '\n') j++;
        j++;
      }
      push('comment', j);
    } else if (c === '/' && next === '*') {
      let j = i + 2;
      let depth = 1;
      while (j < code.length && depth > 0) {
        if (code[j] === '*' && code[j + 1] === '/') {
          depth--;
          j += 2;
        } else if (language === 'wgsl' && code[j] === '/' && code[j + 1] === '*') {
          depth++;
          j += 2;
        } else j++;
      }
      if (depth > 0) throw new Error(`unterminated block comment at ${i}`);
      push('comment', j);
    } else if (c === '"' || c === "'" || (c === '`' && language === 'ts')) {
      if (language === 'wgsl') throw new Error(`a quote in WGSL at ${i}`);
      let j = i + 1;
      let depth = 0; // ${ … } nesting inside a template literal: its code is lexed as part of the string
      while (j < code.length) {
        const d = code[j]!;
        if (d === '\\') j += 2;
        else if (c === '`' && d === '$' && code[j + 1] === '{') {
          depth++;
          j += 2;
        } else if (c === '`' && depth > 0 && d === '}') {
          depth--;
          j++;
        } else if (d === c && depth === 0) break;
        else if (c !== '`' && LINE_END[language].test(d)) throw new Error(`newline in a string literal at ${j}`);
        else j++;
      }
      if (j >= code.length) throw new Error(`unterminated string at ${i}`);
      push('string', j + 1);
    } else if (/[A-Za-z_$]/.test(c)) {
      push('identifier', i + /^[A-Za-z0-9_$]*/.exec(code.slice(i + 1))![0].length + 1);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      push('number', i + /^(?:[eE][+-]?[0-9]|[0-9A-Za-z_.])*/.exec(code.slice(i))![0].length);
    } else if (/\s/.test(c)) {
      push('space', i + /^\s+/.exec(code.slice(i))![0].length);
    } else {
      push('punct', i + 1);
    }
  }
  return tokens.filter((t) => t.kind !== 'space');
}

/**
 * The first character of text that would break a line of output or hide in it (C0/C1 controls, zero-width
 * characters, line and paragraph separators, bidirectional marks and overrides, the BOM), or undefined.
 */
export function invisibleCharacter(text: string): string | undefined {
  for (const c of text) {
    const u = c.codePointAt(0)!;
    if (
      u < 0x20 ||
      (u >= 0x7f && u <= 0x9f) ||
      (u >= 0x200b && u <= 0x200f) ||
      (u >= 0x2028 && u <= 0x202e) ||
      (u >= 0x2060 && u <= 0x2069) ||
      u === 0xfeff
    ) {
      return `U+${u.toString(16).padStart(4, '0')}`;
    }
  }
  return undefined;
}
