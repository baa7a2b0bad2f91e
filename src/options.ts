/**
 * Checks shared by every public entry that takes an options object: the object itself, its keys (a typo such as
 * `rtoll` is an error that suggests `rtol`, never a silently ignored key), and values quoted in messages.
 */
import { OptionError } from './errors.ts';

/** Levenshtein distance, for the "did you mean" of an unknown key (keys are short: O(|a|·|b|) is fine). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name closest to `name` (case-insensitively), if it is close enough to be a plausible typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/**
 * A value as a message may quote it: short printable text as is, anything else JSON-escaped and cut to
 * `width` characters with its full length (a 100 kB value must not become a 100 kB line).
 */
export function quoteValue(value: unknown, width = 60): string {
  if (typeof value === 'string') {
    const cut = value.length > width ? `${value.slice(0, width)}…` : value;
    const text = JSON.stringify(cut).replace(
      /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    return value.length > width ? `${text} (${value.length} characters)` : text;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'function' ? 'a function' : typeof value === 'symbol' ? 'a symbol' : 'an object';
}

/**
 * Checks that `options` is a plain object (or absent) whose own keys are all in `known`. `where` prefixes the
 * option names in errors (e.g. 'limits.' for a nested object). Keys set to undefined count as absent.
 */
export function checkOptionKeys(
  options: unknown,
  known: readonly string[],
  where: string,
  prefix = '',
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionError(where, `expected an object of options, got ${quoteValue(options)}`);
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const hint = near === undefined ? `known: ${known.join(', ')}` : `did you mean '${near}'?`;
    const shown = /^[\w$.-]{1,60}$/.test(key) ? key : quoteValue(key);
    throw new OptionError(`${prefix}${shown}`, `unknown option (${hint})`);
  }
  return record;
}
