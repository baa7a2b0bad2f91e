/**
 * The playground page: edit a model, generate its solver (TypeScript, CUDA, WGSL) on the dev server, solve it
 * here with the generated JavaScript, draw the trajectory and the Jacobians, and run a small ensemble on WebGPU
 * (checked against the CPU) or, without an adapter, on the CPU.
 *
 * #status shows what the page did last; its data-done counts finished actions, so that a test (or a person)
 * can tell a new answer from the previous one.
 */
import seedModel from '../../examples/seed.json?raw';
import type { GenerateRequest, GenerateResponse, MethodsResponse, PlaygroundError, TargetSource } from '../api.ts';
import { AGREEMENT, agreement, COUNT, ensembleProblem, gpuContext, solveOnCpu, solveOnGpu } from './ensemble.ts';
import { draw, jacobianSpec, trajectorySpec } from './plots.ts';
import { type GeneratedSolver, linspace, loadSolver } from './solver.ts';
import { byId, numberFrom, numbersFrom, sci, showMatrix } from './view.ts';

const ui = {
  status: byId('status', HTMLParagraphElement),
  model: byId('model', HTMLTextAreaElement),
  method: byId('method', HTMLSelectElement),
  sensY0: byId('sens-y0', HTMLInputElement),
  sensParams: byId('sens-params', HTMLInputElement),
  generate: byId('generate', HTMLButtonElement),
  error: byId('error', HTMLPreElement),
  ts: byId('code-ts', HTMLPreElement),
  cuda: byId('code-cuda', HTMLPreElement),
  wgsl: byId('code-wgsl', HTMLPreElement),
  t0: byId('t0', HTMLInputElement),
  t1: byId('t1', HTMLInputElement),
  y0: byId('y0', HTMLInputElement),
  rtol: byId('rtol', HTMLInputElement),
  atol: byId('atol', HTMLInputElement),
  dt: byId('dt', HTMLInputElement),
  solve: byId('solve', HTMLButtonElement),
  finalY: byId('final-y', HTMLTableElement),
  jacobian: byId('jacobian', HTMLTableElement),
  paramJacobian: byId('param-jacobian', HTMLTableElement),
  solveStats: byId('solve-stats', HTMLParagraphElement),
  trajectoryPlot: byId('trajectory-plot', HTMLDivElement),
  jacobianPlot: byId('jacobian-plot', HTMLDivElement),
  gpuStatus: byId('gpu-status', HTMLParagraphElement),
  ensemble: byId('ensemble', HTMLButtonElement),
  ensembleResult: byId('ensemble-result', HTMLParagraphElement),
};

/** The last successful generation: the loaded solver and the WGSL for the same model, method and sensitivities. */
let current: { solver: GeneratedSolver; wgsl: TargetSource } | undefined;

function showError(error: PlaygroundError | string | undefined): void {
  ui.error.hidden = error === undefined;
  if (error === undefined || typeof error === 'string') {
    ui.error.textContent = error ?? '';
    return;
  }
  const where = error.line === undefined ? '' : `line ${error.line}, column ${error.column}: `;
  ui.error.textContent = `${where}${error.message}`;
  // Point at the spot in the editor.
  if (error.start !== undefined && error.end !== undefined) {
    ui.model.focus();
    ui.model.setSelectionRange(error.start, error.end);
  }
}

/** Runs one user action with the buttons disabled; reports its outcome in #status, or its error. */
async function act(busyText: string, action: () => Promise<string>): Promise<void> {
  for (const b of [ui.generate, ui.solve, ui.ensemble]) b.disabled = true;
  ui.status.dataset.busy = 'true';
  ui.status.textContent = busyText;
  try {
    ui.status.textContent = await action();
  } catch (e) {
    ui.status.textContent = 'Failed: see the message under the model.';
    showError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  } finally {
    // Solving needs a generated solver.
    ui.generate.disabled = false;
    ui.solve.disabled = ui.ensemble.disabled = current === undefined;
    ui.status.dataset.busy = 'false';
    ui.status.dataset.done = String(Number(ui.status.dataset.done) + 1);
  }
}

function showTarget(pre: HTMLPreElement, target: TargetSource): void {
  pre.textContent = target.ok ? target.code : `(none for this model and method: ${target.reason})`;
}

async function generate(): Promise<string> {
  const request: GenerateRequest = {
    model: ui.model.value,
    method: ui.method.value,
    sensitivities: [
      ...(ui.sensY0.checked ? ['y0' as const] : []),
      ...(ui.sensParams.checked ? ['params' as const] : []),
    ],
  };
  const answer = await fetch('/api/generate', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!answer.ok) throw new Error(`the server answered ${answer.status}: ${await answer.text()}`);
  const result = (await answer.json()) as GenerateResponse;
  if (!result.ok) {
    showError(result.error);
    return `Not generated: ${result.error.kind === 'json' ? 'the text is not JSON' : 'the model has an error'}.`;
  }
  showError(undefined);
  ui.ts.textContent = result.ts;
  showTarget(ui.cuda, result.cuda);
  showTarget(ui.wgsl, result.wgsl);
  const solver = await loadSolver(result.js);
  current = { solver, wgsl: result.wgsl };
  // A y0 of the wrong length for the new model: start from ones.
  const n = solver.info.states.length;
  if (numbersFrom(ui.y0, 'y0').length !== n) ui.y0.value = Array(n).fill('1').join(', ');
  return `Generated '${solver.info.model}' with ${solver.info.method} in ${result.ms.toFixed(0)} ms.`;
}

async function solve(): Promise<string> {
  if (current === undefined) throw new Error('generate a solver first');
  const { solver } = current;
  const { info } = solver;
  const t0 = numberFrom(ui.t0, 't0');
  const t1 = numberFrom(ui.t1, 't1');
  const began = performance.now();
  const r = solver.solve({
    t0,
    t1,
    y0: numbersFrom(ui.y0, 'y0'),
    rtol: numberFrom(ui.rtol, 'rtol'),
    atol: numberFrom(ui.atol, 'atol'),
    dt: ui.dt.value.trim() === '' ? undefined : numberFrom(ui.dt, 'dt'),
    tEval: linspace(t0, t1, 300),
  });
  const ms = performance.now() - began;
  showError(undefined);
  showMatrix(ui.finalY, info.states, ['y(t1)'], r.y);
  showMatrix(ui.jacobian, info.states, info.states, r.jacobian);
  showMatrix(ui.paramJacobian, info.states, info.params, r.paramJacobian);
  ui.solveStats.textContent =
    `${r.stats.steps} steps (${r.stats.rejected} rejected), ${r.stats.rhsEvals} rhs evaluations, ` +
    `${ms.toFixed(1)} ms with 300 samples; step: ${solver.stepKernel()}.`;
  await draw(ui.trajectoryPlot, trajectorySpec(info, r));
  if (r.jacobian || (r.paramJacobian && info.params.length > 0)) await draw(ui.jacobianPlot, jacobianSpec(info, r));
  else ui.jacobianPlot.replaceChildren();
  return `Solved '${info.model}' from t = ${t0} to ${t1}.`;
}

async function runEnsemble(): Promise<string> {
  if (current === undefined) throw new Error('generate a solver first');
  const { solver, wgsl } = current;
  const n = solver.info.states.length;
  const p = solver.info.params.length;
  const dt = ui.dt.value.trim() === '' ? undefined : numberFrom(ui.dt, 'dt');
  const problem = ensembleProblem(
    solver,
    numberFrom(ui.t0, 't0'),
    numberFrom(ui.t1, 't1'),
    dt,
    numbersFrom(ui.y0, 'y0'),
  );
  const cpu = solveOnCpu(solver, problem);
  const ctx = await gpuContext();
  const cpuText = `CPU (generated JavaScript, f64): ${COUNT} trajectories in ${cpu.stats.ms.toFixed(1)} ms`;
  const noGpu =
    typeof ctx === 'string' ? `no WebGPU adapter (${ctx})` : wgsl.ok ? undefined : `no WGSL (${wgsl.reason})`;
  if (typeof ctx === 'string' || !wgsl.ok) {
    ui.ensembleResult.dataset.path = 'cpu';
    delete ui.ensembleResult.dataset.maxDifference;
    ui.ensembleResult.textContent = `${cpuText}. The GPU path did not run: ${noGpu}.`;
    return 'Ensemble done on the CPU.';
  }
  const gpu = await solveOnGpu(ctx, wgsl.code, solver, problem);
  const failed = gpu.status.filter((s) => s !== 'ok').length;
  const d = agreement(gpu, cpu, n, p);
  const worst = Math.max(d.y, d.jacobian, d.paramJacobian);
  ui.ensembleResult.dataset.path = 'webgpu';
  ui.ensembleResult.dataset.maxDifference = String(worst);
  ui.ensembleResult.textContent =
    `WebGPU (generated WGSL, f32, on ${ctx.adapterName}): ${COUNT} trajectories in ${gpu.stats.ms.toFixed(1)} ms` +
    `${failed > 0 ? `, ${failed} not ok` : ''}. ${cpuText}. ` +
    `Max relative difference GPU vs CPU: y ${sci(d.y)}, ∂y/∂y0 ${sci(d.jacobian)}, ∂y/∂p ${sci(d.paramJacobian)} ` +
    `(${worst <= AGREEMENT ? 'within' : 'BEYOND'} the f32 expectation of ${sci(AGREEMENT)}).`;
  return 'Ensemble done on WebGPU and checked against the CPU.';
}

async function start(): Promise<void> {
  ui.model.value = seedModel;
  const { methods } = (await (await fetch('/api/methods')).json()) as MethodsResponse;
  for (const name of methods) ui.method.add(new Option(name, name, false, name === 'RK45CK'));
  ui.generate.addEventListener('click', () => act('Generating…', generate));
  ui.solve.addEventListener('click', () => act('Solving…', solve));
  ui.ensemble.addEventListener('click', () => act('Running the ensemble…', runEnsemble));
  const ctx = await gpuContext();
  ui.gpuStatus.dataset.gpu = typeof ctx === 'string' ? 'none' : 'webgpu';
  ui.gpuStatus.textContent =
    typeof ctx === 'string'
      ? `No WebGPU adapter: ${ctx}. The ensemble runs on the CPU (the generated JavaScript, in this page).`
      : `WebGPU adapter: ${ctx.adapterName}. The ensemble runs the generated WGSL on it and on the CPU, and compares.`;
}

start().catch((e: unknown) => showError(`The page could not start: ${String(e)}`));
