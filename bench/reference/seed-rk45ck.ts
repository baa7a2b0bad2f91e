/**
 * Hand-specialised JavaScript for the seed problem — what a careful person writes for y' = [[0,1],[-k,0]] y
 * with its 2×2 variational system, Cash–Karp 5(4), error control on the state only, max norm, the same
 * controller as the generated solver (safety 0.9, factor in [0.2, 5], exponent −1/5). Everything in scalar
 * locals. The benchmark's yardstick for the generated TypeScript.
 */

// Cash & Karp (1990), ACM TOMS 16(3), Table "Cash-Karp parameters for embedded Runge-Kutta method".
const A21 = 1 / 5;
const A31 = 3 / 40,
  A32 = 9 / 40;
const A41 = 3 / 10,
  A42 = -9 / 10,
  A43 = 6 / 5;
const A51 = -11 / 54,
  A52 = 5 / 2,
  A53 = -70 / 27,
  A54 = 35 / 27;
const A61 = 1631 / 55296,
  A62 = 175 / 512,
  A63 = 575 / 13824,
  A64 = 44275 / 110592,
  A65 = 253 / 4096;
const B1 = 37 / 378,
  B3 = 250 / 621,
  B4 = 125 / 594,
  B6 = 512 / 1771;
const E1 = 37 / 378 - 2825 / 27648,
  E3 = 250 / 621 - 18575 / 48384,
  E4 = 125 / 594 - 13525 / 55296;
const E5 = -277 / 14336,
  E6 = 512 / 1771 - 1 / 4;

/** Integrates state (x, v) and Φ (row-major) in `s` = [x, v, p00, p01, p10, p11]; returns accepted steps. */
export function seedReference(
  s: Float64Array,
  k: number,
  t0: number,
  t1: number,
  dt: number,
  rtol: number,
  atol: number,
): number {
  let x = s[0]!,
    v = s[1]!,
    a = s[2]!,
    b = s[3]!,
    c = s[4]!,
    d = s[5]!;
  let t = t0;
  let h = dt;
  let steps = 0;
  while (t < t1) {
    const last = h >= t1 - t;
    if (last) h = t1 - t;
    // f(x, v, Φ) = (v, -k x, Φ10, Φ11, -k Φ00, -k Φ01)
    const x1 = v,
      v1 = -k * x,
      a1 = c,
      b1 = d,
      c1 = -k * a,
      d1 = -k * b;
    let X = x + h * (A21 * x1),
      V = v + h * (A21 * v1);
    let Pa = a + h * (A21 * a1),
      Pb = b + h * (A21 * b1),
      Pc = c + h * (A21 * c1),
      Pd = d + h * (A21 * d1);
    const x2 = V,
      v2 = -k * X,
      a2 = Pc,
      b2 = Pd,
      c2 = -k * Pa,
      d2 = -k * Pb;
    X = x + h * (A31 * x1 + A32 * x2);
    V = v + h * (A31 * v1 + A32 * v2);
    Pa = a + h * (A31 * a1 + A32 * a2);
    Pb = b + h * (A31 * b1 + A32 * b2);
    Pc = c + h * (A31 * c1 + A32 * c2);
    Pd = d + h * (A31 * d1 + A32 * d2);
    const x3 = V,
      v3 = -k * X,
      a3 = Pc,
      b3 = Pd,
      c3 = -k * Pa,
      d3 = -k * Pb;
    X = x + h * (A41 * x1 + A42 * x2 + A43 * x3);
    V = v + h * (A41 * v1 + A42 * v2 + A43 * v3);
    Pa = a + h * (A41 * a1 + A42 * a2 + A43 * a3);
    Pb = b + h * (A41 * b1 + A42 * b2 + A43 * b3);
    Pc = c + h * (A41 * c1 + A42 * c2 + A43 * c3);
    Pd = d + h * (A41 * d1 + A42 * d2 + A43 * d3);
    const x4 = V,
      v4 = -k * X,
      a4 = Pc,
      b4 = Pd,
      c4 = -k * Pa,
      d4 = -k * Pb;
    X = x + h * (A51 * x1 + A52 * x2 + A53 * x3 + A54 * x4);
    V = v + h * (A51 * v1 + A52 * v2 + A53 * v3 + A54 * v4);
    Pa = a + h * (A51 * a1 + A52 * a2 + A53 * a3 + A54 * a4);
    Pb = b + h * (A51 * b1 + A52 * b2 + A53 * b3 + A54 * b4);
    Pc = c + h * (A51 * c1 + A52 * c2 + A53 * c3 + A54 * c4);
    Pd = d + h * (A51 * d1 + A52 * d2 + A53 * d3 + A54 * d4);
    const x5 = V,
      v5 = -k * X,
      a5 = Pc,
      b5 = Pd,
      c5 = -k * Pa,
      d5 = -k * Pb;
    X = x + h * (A61 * x1 + A62 * x2 + A63 * x3 + A64 * x4 + A65 * x5);
    V = v + h * (A61 * v1 + A62 * v2 + A63 * v3 + A64 * v4 + A65 * v5);
    Pa = a + h * (A61 * a1 + A62 * a2 + A63 * a3 + A64 * a4 + A65 * a5);
    Pb = b + h * (A61 * b1 + A62 * b2 + A63 * b3 + A64 * b4 + A65 * b5);
    Pc = c + h * (A61 * c1 + A62 * c2 + A63 * c3 + A64 * c4 + A65 * c5);
    Pd = d + h * (A61 * d1 + A62 * d2 + A63 * d3 + A64 * d4 + A65 * d5);
    const x6 = V,
      v6 = -k * X,
      a6 = Pc,
      b6 = Pd,
      c6 = -k * Pa,
      d6 = -k * Pb;
    const xn = x + h * (B1 * x1 + B3 * x3 + B4 * x4 + B6 * x6);
    const vn = v + h * (B1 * v1 + B3 * v3 + B4 * v4 + B6 * v6);
    const ex =
      Math.abs(h * (E1 * x1 + E3 * x3 + E4 * x4 + E5 * x5 + E6 * x6)) /
      (atol + rtol * Math.max(Math.abs(x), Math.abs(xn)));
    const ev =
      Math.abs(h * (E1 * v1 + E3 * v3 + E4 * v4 + E5 * v5 + E6 * v6)) /
      (atol + rtol * Math.max(Math.abs(v), Math.abs(vn)));
    const err = Math.max(ex, ev);
    const factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * err ** -0.2));
    if (err <= 1) {
      a += h * (B1 * a1 + B3 * a3 + B4 * a4 + B6 * a6);
      b += h * (B1 * b1 + B3 * b3 + B4 * b4 + B6 * b6);
      c += h * (B1 * c1 + B3 * c3 + B4 * c4 + B6 * c6);
      d += h * (B1 * d1 + B3 * d3 + B4 * d4 + B6 * d6);
      x = xn;
      v = vn;
      t = last ? t1 : t + h;
      steps++;
    }
    h *= factor;
  }
  s[0] = x;
  s[1] = v;
  s[2] = a;
  s[3] = b;
  s[4] = c;
  s[5] = d;
  return steps;
}
