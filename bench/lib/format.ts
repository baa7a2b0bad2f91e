/** Markdown tables and number formats shared by the sections. */

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** A duration given in µs, in the unit that keeps 3–4 significant digits readable. */
export function duration(us: number): string {
  if (!Number.isFinite(us)) return '—';
  if (us < 1e3) return `${us.toPrecision(3)} µs`;
  if (us < 1e6) return `${(us / 1e3).toPrecision(3)} ms`;
  return `${(us / 1e6).toPrecision(3)} s`;
}

export function ratio(x: number): string {
  return Number.isFinite(x) ? `${x >= 100 ? x.toFixed(0) : x.toPrecision(3)}×` : '—';
}

export function sci(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '—' : x.toExponential(1);
}

/** Rounds for JSON: keeps the files readable without pretending to more digits than the noise allows. */
export function round(x: number, digits = 4): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
}

export interface Section {
  readonly markdown: string[];
  readonly json: unknown;
}
