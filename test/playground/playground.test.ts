/**
 * The playground (playground/, npm run playground) in a real browser: Vite's dev server started here with the
 * playground's own config, Debian's Chromium driven headless through playwright-core, the page used as a person
 * would — edit the model, Generate, Solve, run the ensemble — and what it shows checked against references
 * computed here: the seed model is linear, y' = M y with M = [[0, 1], [−k, 0]], so y(t1) = expm(t1·M)·y0,
 * ∂y/∂y0 = expm(t1·M), and ∂y/∂k is the Fréchet derivative of expm in the direction t1·∂M/∂k (times y0).
 *
 * WebGPU: Chromium 150 offers its built-in SwiftShader (a CPU Vulkan) as a fallback adapter when started with
 * --enable-unsafe-webgpu (headless, no GPU; Mesa's lavapipe is not picked up by Chromium, which ships its own
 * Vulkan loader). With an adapter the ensemble runs the generated WGSL (f32) and is compared with the CPU's f64
 * solves to 1e-3, test/wgsl's tolerance; the page opened with ?webgpu=off checks the CPU path as well.
 *
 * Without Chromium (CHROMIUM_PATH, default /usr/bin/chromium) the tests are skipped with a message, unless
 * ODEFORGE_REQUIRE_BROWSER=1 (CI), where they fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expm, expmFrechet, matVec, maxAbsDiff } from './expm.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REQUIRED = process.env.ODEFORGE_REQUIRE_BROWSER === '1';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** The flag that gives headless Chromium a WebGPU adapter (SwiftShader) on a machine without a GPU. */
const CHROMIUM_ARGS = ['--enable-unsafe-webgpu'];

const CONFIG = fileURLToPath(new URL('../../playground/vite.config.ts', import.meta.url));
const SEED_TEXT = readFileSync(new URL('../../examples/seed.json', import.meta.url), 'utf8');

if (!HAVE_CHROMIUM && !REQUIRED) {
  console.warn(
    `test/playground: SKIPPED — no Chromium at ${CHROMIUM}. Install Debian's chromium (apt-get install chromium) or ` +
      'set CHROMIUM_PATH; ODEFORGE_REQUIRE_BROWSER=1 turns this skip into a failure.',
  );
}

/** The seed model, edited as the test's user edits it: another name and another spring constant. */
const K = 12.5;
const MODEL_TEXT = SEED_TEXT.replace('"seed"', '"spring"').replace('"k": 20', `"k": ${K}`);
const T1 = 2 * Math.PI;
const Y0 = [0.5, -1];

/** Clicks a button and waits until the page reports the action finished (#status data-done counts them). */
async function act(page: Page, button: string): Promise<string> {
  const before = Number(await page.locator('#status').getAttribute('data-done'));
  await page.click(button);
  await page.locator(`#status[data-done="${before + 1}"]`).waitFor();
  return (await page.locator('#status').textContent()) ?? '';
}

/** The numbers in a table's data cells, row by row (the page prints each as the shortest round-trip text). */
async function tableNumbers(page: Page, table: string): Promise<number[]> {
  const cells = await page.locator(`${table} td`).allTextContents();
  return cells.map(Number);
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(url);
  await page.locator('#gpu-status:not([data-gpu="pending"])').waitFor();
  return page;
}

describe.skipIf(!HAVE_CHROMIUM && !REQUIRED)('playground in headless Chromium', () => {
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  let url = '';
  let page: Page;

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) {
      throw new Error(`ODEFORGE_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    }
    server = await createServer({
      configFile: CONFIG,
      // port 0: any free port. No file watching and no HMR: other edits to the tree must not reload the page.
      server: { port: 0, host: '127.0.0.1', watch: null, hmr: false },
      logLevel: 'warn',
    });
    await server.listen();
    url = server.resolvedUrls!.local[0]!;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await openPage(browser, url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('generates TypeScript, CUDA and WGSL for the edited model', async () => {
    expect(await page.locator('#model').inputValue()).toBe(SEED_TEXT);
    await page.locator('#model').fill(MODEL_TEXT);
    await page.locator('#method').selectOption('RK45CK');
    expect(await act(page, '#generate')).toMatch(/^Generated 'spring' with RK45CK/);
    expect(await page.locator('#error').isHidden()).toBe(true);
    const ts = (await page.locator('#code-ts').textContent()) ?? '';
    expect(ts).toContain("Model 'spring': states x, v; params k");
    expect(ts).toContain('export function solve(');
    expect(ts).toMatch(new RegExp(`"paramDefaults": ?\\[${K}\\]`));
    const cuda = (await page.locator('#code-cuda').textContent()) ?? '';
    expect(cuda).toContain("Model 'spring'");
    expect(cuda).toContain('__global__');
    const wgsl = (await page.locator('#code-wgsl').textContent()) ?? '';
    expect(wgsl).toContain("Model 'spring'");
    expect(wgsl).toContain('@compute');
  });

  it('solves in the page: y(t1), ∂y/∂y0 and ∂y/∂k match the matrix exponential', async () => {
    await page.locator('#t1').fill(String(T1));
    await page.locator('#y0').fill(Y0.join(', '));
    await page.locator('#rtol').fill('1e-12');
    await page.locator('#atol').fill('1e-12');
    expect(await act(page, '#solve')).toMatch(/^Solved 'spring'/);
    expect(await page.locator('#error').isHidden()).toBe(true);

    const A = [0, T1, -K * T1, 0]; // t1·M, row-major 2×2
    const E = [0, 0, -T1, 0]; // t1·∂M/∂k
    const phi = expm(A, 2);
    const want = {
      y: matVec(phi, Y0, 2),
      jacobian: phi,
      paramJacobian: matVec(expmFrechet(A, E, 2), Y0, 2),
    };
    const got = {
      y: await tableNumbers(page, '#final-y'),
      jacobian: await tableNumbers(page, '#jacobian'),
      paramJacobian: await tableNumbers(page, '#param-jacobian'),
    };
    // rtol = atol = 1e-12 over ~1000 steps: the global error is ~1e-11 (README's seed figure); 1e-9 leaves room
    // while still catching a wrong sign, index or parameter.
    expect(maxAbsDiff(got.y, want.y)).toBeLessThan(1e-9);
    expect(maxAbsDiff(got.jacobian, want.jacobian)).toBeLessThan(1e-9);
    expect(maxAbsDiff(got.paramJacobian, want.paramJacobian)).toBeLessThan(1e-9);
  });

  it('draws the trajectory and the Jacobian heatmap as SVG', async () => {
    // One line per state; one rect per Jacobian entry (2×2 and 2×1) and the legend's gradient.
    expect(await page.locator('#trajectory-plot svg .mark-line path').count()).toBe(2);
    expect(await page.locator('#jacobian-plot svg .mark-rect path').count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('#jacobian-plot svg .mark-text text').count()).toBeGreaterThanOrEqual(6);
  });

  it('runs the ensemble on WebGPU when Chromium has an adapter, else on the CPU', async () => {
    const gpu = await page.locator('#gpu-status').getAttribute('data-gpu');
    expect(await act(page, '#ensemble')).toMatch(/^Ensemble done/);
    const result = page.locator('#ensemble-result');
    const path = await result.getAttribute('data-path');
    console.log(
      `test/playground: ensemble path ${path} (Chromium ${CHROMIUM_ARGS.join(' ')}): ${await result.textContent()}`,
    );
    if (gpu === 'webgpu') {
      expect(path).toBe('webgpu');
      // f32 on the GPU against f64 on the CPU at rtol 1e-5: test/wgsl/ensemble.test.ts's tolerance.
      expect(Number(await result.getAttribute('data-max-difference'))).toBeLessThanOrEqual(1e-3);
    } else {
      expect(path).toBe('cpu');
      expect(await result.textContent()).toContain('CPU (generated JavaScript, f64): 64 trajectories');
    }
  });

  it('shows a model error with its line and column, and a JSON error likewise', async () => {
    const bad = MODEL_TEXT.replace('"-k*x"', '"-k*qq"');
    await page.locator('#model').fill(bad);
    expect(await act(page, '#generate')).toMatch(/^Not generated/);
    const at = bad.indexOf('qq');
    const lines = bad.slice(0, at).split('\n');
    const where = `line ${lines.length}, column ${lines.at(-1)!.length + 1}`;
    expect(await page.locator('#error').isVisible()).toBe(true);
    expect(await page.locator('#error').textContent()).toBe(
      `${where}: model 'spring', rhs of 'v': unknown symbol 'qq' at character 4 in "-k*qq"`,
    );

    const broken = MODEL_TEXT.replace('"states"', '"states" "');
    await page.locator('#model').fill(broken);
    await act(page, '#generate');
    const line = broken.slice(0, broken.indexOf('"states"')).split('\n').length;
    expect(await page.locator('#error').textContent()).toMatch(
      new RegExp(`^line ${line}, column \\d+: not valid JSON`),
    );
  });

  it('without WebGPU (?webgpu=off) the page says so and runs the ensemble on the CPU', async () => {
    const cpuPage = await openPage(browser!, `${url}?webgpu=off`);
    expect(await cpuPage.locator('#gpu-status').getAttribute('data-gpu')).toBe('none');
    expect(await cpuPage.locator('#gpu-status').textContent()).toContain('No WebGPU adapter');
    await act(cpuPage, '#generate');
    await act(cpuPage, '#ensemble');
    expect(await cpuPage.locator('#ensemble-result').getAttribute('data-path')).toBe('cpu');
    expect(await cpuPage.locator('#ensemble-result').textContent()).toContain('64 trajectories');
    await cpuPage.close();
  });
});
