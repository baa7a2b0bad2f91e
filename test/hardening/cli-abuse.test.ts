/**
 * The CLI under abuse, run as a user runs it (bin/odeforge in a child process): every kind of bad input exits
 * with 2, prints nothing on stdout and exactly one line on stderr that names the problem — no stack trace, no
 * invisible characters, no hang (each run is killed after 60 s, and must finish well before). Extends
 * test/cli/cli.test.ts, which has the first cases of each kind (unknown symbol and function, invalid JSON,
 * missing file, directory, y0 length, NaN/Infinity/'abc' in a flag, unknown method/parameter/flag, --sens,
 * negative tolerance); none of those is repeated here.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { invisibleCharacter } from './code-tokens.ts';

const BIN = fileURLToPath(new URL('../../bin/odeforge', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'odeforge-cli-abuse-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(args: readonly string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(BIN, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

function file(name: string, content: string | Buffer): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const MODEL = '{"name":"m","states":["x","v"],"params":{"k":2},"rhs":{"x":"v","v":"-k*x"}}';
const model = file('m.json', MODEL);
const solve = (m: string, ...more: string[]) => ['solve', m, '--y0', '1,1', '--t1', '1', ...more];

// ---- Files ----
const deepValid = file(
  'deep-valid.json',
  `{"name":"d","states":${'['.repeat(100_000)}${']'.repeat(100_000)},"rhs":{}}`,
);
const deepBroken = file('deep-broken.json', `{"name":"d","states":${'['.repeat(100_000)}${']'.repeat(99_999)}}`);
const hugeBroken = file('huge.json', `{"name":"h",${' '.repeat(20_000_000)}"states":["x"] "rhs":{"x":"-x"}}`);
const hugeField = file('huge-field.json', JSON.stringify({ ...JSON.parse(MODEL), junk: 'j'.repeat(20_000_000) }));
const longBad = file(
  'long-bad.json',
  JSON.stringify({ name: 'long', states: ['x'], rhs: { x: `${Array(25_000).fill('x').join(' + ')} + nosuch` } }),
);
const longGood = file(
  'long-good.json',
  JSON.stringify({ name: 'long', states: ['x'], rhs: { x: Array(50_000).fill('x').join('+') } }),
);
const longProduct = file(
  'long-product.json',
  JSON.stringify({ name: 'longp', states: ['x', 'y'], rhs: { x: Array(25_000).fill('x*y').join('*'), y: 'x' } }),
);
mkdirSync(join(work, 'a-directory'), { recursive: true });
file('plain-file', 'not a directory');

/** 100,000 characters that start with `start`. */
const long = (start: string) => start + 'v'.repeat(100_000 - start.length);
/** How a message quotes long(start): its first 60 characters, an ellipsis, the length. */
const excerptOf = (start: string) =>
  new RegExp(
    `'${(start + 'v'.repeat(60)).slice(0, 60).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}…' \\(100000 characters\\)`,
  );

/**
 * Every kind of message that quotes a flag value, given a 100 kB one (hardening: a 100 kB --method value gave
 * a 100 kB error line). A quote in the value does not end the excerpt early.
 */
function longValueCases(): [string, string[], RegExp][] {
  return [
    ['a long --method', [...solve(model), '--method', long("it's")], /unknown method .*\(100000 characters\)/],
    ['a long number', ['solve', model, '--y0', '1,1', '--t1', long('1')], excerptOf('1')],
    ['a long --y0 item', ['solve', model, '--y0', `1,${long('2')}`, '--t1', '1'], excerptOf('2')],
    ['a long --max-steps', [...solve(model), '--max-steps', long('0.')], excerptOf('0.')],
    ['a long --sens', [...solve(model), '--sens', long('y0,')], excerptOf('y0,')],
    ['a long --param pair', [...solve(model), '--param', long('k')], excerptOf('k')],
    [
      'a long --param name',
      [...solve(model), '--param', `${long('p')}=1`],
      /unknown parameter 'pv+…' \(100000 characters\)/,
    ],
    ['a long unknown flag', [...solve(model), long("--it's-")], excerptOf("--it's-")],
    ['a long --target', ['generate', model, '--target', long("c'"), '--out', join(work, 'o.ts')], excerptOf("c'")],
    ['a long unknown command', [long('ens')], excerptOf('ens')],
    ['a long model file name', solve(join(work, long('m'))), /cannot read model file '.*…' \(\d+ characters\)/],
    [
      'a long --out',
      ['generate', model, '--out', join(work, long('o'))],
      /cannot write --out '.*…' \(\d+ characters\)/,
    ],
  ];
}

/** [label, args, what stderr must say]. */
const BAD: [string, string[], RegExp][] = [
  // Commands and flags
  ['no command at all', [], /missing command/],
  ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ['an unknown command with --help (exit 0 before)', ['ensemble', '--help'], /unknown command 'ensemble'/],
  ['help for an unknown command', ['help', 'ensemble'], /unknown command 'ensemble'/],
  ['solve without a model', ['solve'], /missing required argument 'model'|--y0/],
  ['a flag without its value at the end', [...solve(model), '--rtol'], /option '--rtol <tol>' argument missing/],
  ['--y0 without a value', ['solve', model, '--t1', '1', '--y0'], /--y0.*argument missing/],
  ['--param without a value', [...solve(model), '--param'], /--param.*argument missing/],
  ['--method without a value', [...solve(model), '--method'], /--method.*argument missing/],
  ['solve without --t1', ['solve', model, '--y0', '1,1'], /--t1: required/],
  ['generate without --out', ['generate', model], /required option '--out/],
  [
    'a flag as the value of another',
    ['solve', model, '--y0', '1,1', '--t1', '--json'],
    /--t1: expected a finite number or an arithmetic expression .*, got '--json'/,
  ],
  ['an extra argument', [...solve(model), 'extra'], /too many arguments/],
  ['a single-dash flag', [...solve(model), '-x'], /unknown option '-x'/],
  // Numbers
  ['NaN in --t0', [...solve(model), '--t0', 'NaN'], /--t0: expected a finite number/],
  [
    "'' in --t1",
    ['solve', model, '--y0', '1,1', '--t1', ''],
    /--t1: expected a finite number or an arithmetic expression .*, got ''/,
  ],
  ['-Infinity in --atol', [...solve(model), '--atol', '-Infinity'], /--atol: expected a finite number/],
  ['1e400 in --rtol', [...solve(model), '--rtol', '1e400'], /--rtol: expected a finite number/],
  ['Infinity in --dt', [...solve(model), '--dt', 'Infinity'], /--dt: expected a finite number/],
  ['NaN in --max-steps', [...solve(model), '--max-steps', 'NaN'], /--max-steps: expected a finite number/],
  // (1_000 is a number in the model language, and so in a time flag)
  ['a malformed number', [...solve(model), '--t0', '1..5'], /--t0: expected a finite number/],
  ['an empty item in --y0', ['solve', model, '--y0', '1,,1', '--t1', '1'], /--y0: expected a finite number, got ''/],
  ['a trailing comma in --y0', ['solve', model, '--y0', '1,1,', '--t1', '1'], /--y0: expected a finite number, got ''/],
  ['Infinity in --y0', ['solve', model, '--y0', '1,Infinity', '--t1', '1'], /--y0: expected a finite number/],
  ["'' as --y0", ['solve', model, '--y0', '', '--t1', '1'], /--y0: expected a finite number/],
  ['a y0 too short', ['solve', model, '--y0', '1', '--t1', '1'], /y0: expected 2 values/],
  ['zero as --dt', [...solve(model), '--dt', '0'], /dt: must be positive/],
  ['zero as --max-steps', [...solve(model), '--max-steps', '0'], /--max-steps: must be a positive integer, got '0'/],
  [
    'a fraction as --max-steps (one step before)',
    [...solve(model), '--max-steps', '0.5'],
    /--max-steps: must be a positive integer, got '0.5'/,
  ],
  ['a negative --dt (taken as |dt| before)', [...solve(model), '--dt', '-0.1'], /--dt: must be positive, got '-0.1'/],
  ['a negative --atol', [...solve(model), '--atol', '-1e-9'], /--atol: must be non-negative, got '-1e-9'/],
  // Long values: quoted as an excerpt of 60 characters and the length, never whole
  ...longValueCases(),
  // Parameters
  ['--param without =', [...solve(model), '--param', 'k'], /--param: expected NAME=VALUE, got 'k'/],
  ['--param with an empty value', [...solve(model), '--param', 'k='], /--param k: expected a finite number, got ''/],
  ['--param without a name', [...solve(model), '--param', '=2'], /--param: expected NAME=VALUE/],
  ['--param NaN', [...solve(model), '--param', 'k=NaN'], /--param k: expected a finite number/],
  ['--param named __proto__', [...solve(model), '--param', '__proto__=1'], /unknown parameter '__proto__'/],
  ['--param named constructor', [...solve(model), '--param', 'constructor=1'], /unknown parameter 'constructor'/],
  ['--param with a trailing comma', [...solve(model), '--param', 'k=1,'], /--param: expected NAME=VALUE, got ''/],
  // Options of the targets
  ['--sens empty', [...solve(model), '--sens', ''], /--sens/],
  ['--sens twice the same', [...solve(model), '--sens', 'y0,y0'], /'y0' is listed twice/],
  ['--method __proto__', [...solve(model), '--method', '__proto__'], /unknown method '__proto__'/],
  ['an unknown --target', ['generate', model, '--target', 'c', '--out', join(work, 'o.ts')], /--target/],
  [
    'an unknown --precision',
    ['generate', model, '--target', 'cuda', '--precision', 'f16', '--out', join(work, 'o.cu')],
    /--precision/,
  ],
  [
    'f32 for the TypeScript target',
    ['generate', model, '--precision', 'f32', '--out', join(work, 'o.ts')],
    /precision/,
  ],
  // Model files
  ['an empty file', solve(file('empty.json', '')), /not valid JSON at line 1, column 1: the file is empty/],
  [
    'a file of spaces and newlines',
    solve(file('blank.json', ' \n\n  \n')),
    /not valid JSON at line \d+, column \d+: the file is empty/,
  ],
  ['a JSON array', solve(file('array.json', '[1, 2]')), /a model must be an object, got an array/],
  ['a JSON string', solve(file('string.json', '"model"')), /a model must be an object, got "model"/],
  ['a JSON number', solve(file('number.json', '42')), /a model must be an object, got 42/],
  ['JSON null', solve(file('null.json', 'null')), /a model must be an object, got null/],
  [
    'invalid JSON on line 4',
    solve(file('line4.json', '{\n  "name": "m",\n  "states": ["x"],\n  "rhs": {"x": -x}\n}')),
    /line 4, column 16: InvalidSymbol at '-'/,
  ],
  [
    'a trailing comma',
    solve(file('comma.json', '{"name": "m", "states": ["x"], "rhs": {"x": "-x"},}')),
    /line 1, column \d+/,
  ],
  ['a comment', solve(file('comment.json', '// model\n{"name": "m"}')), /line 1, column 1/],
  ['garbage after the object', solve(file('after.json', `${MODEL}\n}`)), /line 2, column 1/],
  ['a NUL byte', solve(file('nul.json', '{"name":\u0000"m"}')), /line 1, column 9: .*\\u0000/],
  [
    'invalid UTF-8',
    solve(file('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d, 0xff]))),
    /line 1, column/,
  ],
  ['an escape sequence in the file', solve(file('esc.json', '{"name": \u001b[31m}')), /\\u001b/],
  ['a JSON nesting 100,000 deep (valid)', solve(deepValid), /state name an array is not an identifier/],
  ['a JSON nesting 100,000 deep (broken)', solve(deepBroken), /not valid JSON at line 1, column \d+/],
  ['a 20 MB broken file', solve(hugeBroken), /not valid JSON at line 1, column 20000028/],
  ['a 20 MB field', solve(hugeField), /unknown field 'junk'/],
  [
    'a 100,000-character expression with an unknown symbol',
    solve(longBad),
    /unknown symbol 'nosuch' at character 100001 in …"\+ x \+ x .* \+ nosuch" \(100006 characters\)/,
  ],
  [
    'a model file path with a newline and an escape in it',
    solve(join(work, 'no\nsuch\u001b[2J.json')),
    /no\\u000asuch|no such\\u001b\[2J|cannot read model file/,
  ],
  [
    'a directory as --out',
    ['generate', model, '--out', join(work, 'a-directory')],
    /cannot write --out .*: it is a directory/,
  ],
  [
    '--out under a file',
    ['generate', model, '--out', join(work, 'plain-file', 'o.ts')],
    /cannot write --out .*: a part of the path is not a directory/,
  ],
  [
    '--out under /proc (hung in mkdir before)',
    ['generate', model, '--out', '/proc/odeforge-nope/o.ts'],
    /cannot write --out/,
  ],
  // Models
  [
    'states not an array',
    solve(file('states.json', '{"name":"m","states":"x","rhs":{"x":"1"}}')),
    /'states' must be a non-empty array/,
  ],
  [
    'a rhs for no state',
    solve(file('extra-rhs.json', '{"name":"m","states":["x","v"],"rhs":{"x":"1","v":"1","w":"1"}}')),
    /'rhs' has an entry for 'w', which is not a state/,
  ],
  [
    'a string parameter default',
    solve(file('pstr.json', '{"name":"m","states":["x","v"],"params":{"k":"2"},"rhs":{"x":"1","v":"k"}}')),
    /parameter 'k' must have a finite number/,
  ],
  [
    'a state named __proto__',
    solve(file('proto.json', '{"name":"m","states":["__proto__","v"],"rhs":{"__proto__":"1","v":"1"}}')),
    /reserved word/,
  ],
  [
    'a key __proto__ in the model',
    solve(file('proto-key.json', `{"__proto__": {"x": 1}, ${MODEL.slice(1)}`)),
    /unknown field '__proto__'/,
  ],
  [
    'an expression nested too deeply',
    solve(
      file(
        'nested.json',
        JSON.stringify({
          name: 'm',
          states: ['x', 'v'],
          rhs: { x: `${'sin('.repeat(300)}x${')'.repeat(300)}`, v: 'x' },
        }),
      ),
    ),
    /nested too deeply to read \(more than 200 levels\)/,
  ],
  [
    'a line separator in an expression',
    solve(file('ls.json', JSON.stringify({ name: 'm', states: ['x', 'v'], rhs: { x: 'v\u2028+ 1', v: 'x' } }))),
    /unexpected character U\+2028/,
  ],
];

describe('bad input: exit 2, nothing on stdout, one line on stderr naming the problem, no stack trace', () => {
  it.concurrent.each(BAD)('%s', async (_label, args, says) => {
    const r = await run(args);
    expect(r.code, `exit code; stderr: ${r.stderr}`).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^odeforge: [^\n]*\n$/);
    expect(r.stderr).toMatch(says);
    expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+|Error:|internal error|\(outputHelp\)/);
    expect(invisibleCharacter(r.stderr.slice(0, -1))).toBeUndefined();
    // A message about a long expression quotes an excerpt, not 100 kB.
    expect(r.stderr.length).toBeLessThan(2_000);
  });
});

describe('big but valid input finishes, in seconds', () => {
  it.concurrent.each([
    ['a UTF-8 byte-order mark before the JSON', solve(file('bom.json', `\ufeff${MODEL}`), '--json')],
    [
      'a 50,000-term sum (100 kB; quadratic, out of memory at 20,000 terms before)',
      ['solve', longGood, '--y0', '1', '--t1', '0.01', '--json'],
    ],
    [
      'a 50,000-factor product (quadratic derivative before)',
      ['solve', longProduct, '--y0', '1,1', '--t1', '1e-6', '--json'],
    ],
    ['--out in directories to be made', ['generate', model, '--out', join(work, 'new', 'dirs', 'm.ts')]],
  ])('%s', async (_label, args) => {
    const r = await run(args);
    // (generate says what it wrote, on stderr; solve says nothing there)
    expect(r.stderr).toMatch(args[0] === 'generate' ? /^wrote .* \([\d,]+ bytes\)\n$/ : /^$/);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(45_000);
  });
});
