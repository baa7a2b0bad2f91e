/** Small DOM helpers: elements by id, and matrices as tables (text only: nothing is parsed as HTML). */

/** The element with this id, of the expected type (the page's HTML is fixed: a missing one is a bug). */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`playground: no <${type.name}> #${id} in the page`);
  return element;
}

/**
 * Fills a table with a row-major matrix: a header row of column names, then a header cell and the values of each
 * row. Values are written as JavaScript prints them (the shortest text that reads back as the same double).
 */
export function showMatrix(
  table: HTMLTableElement,
  rows: readonly string[],
  columns: readonly string[],
  values: ArrayLike<number> | undefined,
): void {
  table.replaceChildren();
  if (values === undefined) return;
  const head = table.insertRow();
  head.append(document.createElement('th'));
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c;
    head.append(th);
  }
  rows.forEach((r, i) => {
    const tr = table.insertRow();
    const th = document.createElement('th');
    th.textContent = r;
    tr.append(th);
    columns.forEach((_, j) => {
      tr.insertCell().textContent = String(values[i * columns.length + j]);
    });
  });
}

/** A finite number from an input's text, or an error naming the input. */
export function numberFrom(input: HTMLInputElement, name: string): number {
  const value = Number(input.value.trim());
  if (input.value.trim() === '' || !Number.isFinite(value))
    throw new Error(`${name}: expected a number, got '${input.value}'`);
  return value;
}

/** Numbers separated by commas or spaces. */
export function numbersFrom(input: HTMLInputElement, name: string): number[] {
  const parts = input.value.split(/[\s,]+/).filter((s) => s !== '');
  const values = parts.map(Number);
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`${name}: expected numbers, got '${input.value}'`);
  return values;
}

/** A number in scientific notation with 2 digits, for differences and errors. */
export function sci(x: number): string {
  return x.toExponential(1);
}
