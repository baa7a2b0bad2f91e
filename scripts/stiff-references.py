#!/usr/bin/env python3
"""Independent reference values for stiff test problems (state, Phi = dy(t)/dy0, S = dy(t)/dp).

Usage:  python3 scripts/stiff-references.py [--out test/stiff/references.json] [--quick]

Requires numpy and SciPy (pip install scipy numpy).  Nothing here uses odeforge: the
numbers are meant to check odeforge's generated solvers against an unrelated code.

Method
  * The variational system (state y, Phi' = J Phi with Phi(0) = I, S' = J S + df/dp with
    S(0) = 0, all integrated together) is solved with scipy.integrate.solve_ivp,
    method='Radau' (5th-order Radau IIA), rtol 1e-13, with the dense Jacobian of the WHOLE
    augmented system supplied analytically (it needs the second derivatives of f, coded by
    hand below and checked against finite differences at start-up).
  * The integration is restarted at every output time, so each output is a step end point
    (no dense-output interpolation).
  * atol is per component: 1e-3 * rtol * (largest magnitude the component reaches on a
    preliminary loose run).
  * The variational system is integrated a second time with a 10x looser rtol; the change is
    recorded as an error estimate ("looseRtolMaxRelChange").
  * Every column of Phi and S is cross-checked by finite differences of state-only Radau
    solutions (same rtol, near-pure relative atol): central differences with relative step
    1e-6 ("fdPhiCentral", "fdSensCentral"), and 4th-order 5-point stencils with steps chosen
    per problem and direction ("fdPhi", "fdSens", what "maxRelDisagreement" compares with);
    the "notes" of each problem say why a step was chosen and where the check is limited.
  * HIRES and OREGO (and Robertson at t = 1e11) have published reference solutions in the
    Bari IVP test set (Mazzia & Magherini); those values are copied into the JSON
    ("yPublished") next to the SciPy values ("y") and compared.
  * The solves run in parallel processes (--workers, default 2); about 5 minutes on 2 cores.
    Values reproduce to ~1e-13 in y and to ~1e-8 (Robertson) / ~2e-7 (Van der Pol at
    t >= 1500) in Phi and S between runs that differ only in rounding.
"""

import argparse
import json
import math
import multiprocessing
import os
import platform
import subprocess
import time

# One thread per process: the matrices are tiny and the solves run in parallel processes.
for _var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_var, '1')

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, 'test', 'stiff', 'references.json')
EPS = np.finfo(float).eps
MIN_RTOL = 100 * EPS  # SciPy's Radau raises anything below this to it


# ----------------------------------------------------------------------------------------
# Problems.  Each defines f, J = df/dy, H[i,l,k] = d2 f_i / dy_l dy_k,
# fp[i,k] = df_i/dp_k and Jp[i,m,k] = d2 f_i / dy_m dp_k.
# ----------------------------------------------------------------------------------------


class Problem:
    name = ''
    n = 0
    param_names = ()

    def f(self, y, p):
        raise NotImplementedError

    def jac(self, y, p):
        raise NotImplementedError

    def hess(self, y, p):
        return np.zeros((self.n, self.n, self.n))

    def fp(self, y, p):
        return np.zeros((self.n, len(p)))

    def jacp(self, y, p):
        return np.zeros((self.n, self.n, len(p)))


class Robertson(Problem):
    name = 'robertson'
    n = 3
    param_names = ('k1', 'k2', 'k3')
    equations = [
        "y1' = -k1*y1 + k2*y2*y3",
        "y2' = k1*y1 - k2*y2*y3 - k3*y2^2",
        "y3' = k3*y2^2",
    ]

    def f(self, y, p):
        k1, k2, k3 = p
        y1, y2, y3 = y
        a = k1 * y1
        b = k2 * y2 * y3
        c = k3 * y2 * y2
        return np.array([-a + b, a - b - c, c])

    def jac(self, y, p):
        k1, k2, k3 = p
        _, y2, y3 = y
        return np.array(
            [
                [-k1, k2 * y3, k2 * y2],
                [k1, -k2 * y3 - 2 * k3 * y2, -k2 * y2],
                [0.0, 2 * k3 * y2, 0.0],
            ]
        )

    def hess(self, y, p):
        _, k2, k3 = p
        H = np.zeros((3, 3, 3))
        H[0, 1, 2] = H[0, 2, 1] = k2
        H[1, 1, 2] = H[1, 2, 1] = -k2
        H[1, 1, 1] = -2 * k3
        H[2, 1, 1] = 2 * k3
        return H

    def fp(self, y, p):
        y1, y2, y3 = y
        return np.array(
            [
                [-y1, y2 * y3, 0.0],
                [y1, -y2 * y3, -y2 * y2],
                [0.0, 0.0, y2 * y2],
            ]
        )

    def jacp(self, y, p):
        _, y2, y3 = y
        Jp = np.zeros((3, 3, 3))
        Jp[0, 0, 0] = -1.0
        Jp[0, 1, 1] = y3
        Jp[0, 2, 1] = y2
        Jp[1, 0, 0] = 1.0
        Jp[1, 1, 1] = -y3
        Jp[1, 1, 2] = -2 * y2
        Jp[1, 2, 1] = -y2
        Jp[2, 1, 2] = 2 * y2
        return Jp


class VanDerPol(Problem):
    """form='standard': x' = y, y' = mu*(1 - x^2)*y - x  (MATLAB's vdp1000, Hairer-Wanner; the form
    odeforge's own tests use).  form='scaled': y' = mu*((1 - x^2)*y - x) (restoring force also
    multiplied by mu: the oscillation period is then ~2 time units instead of ~1600)."""

    n = 2
    param_names = ('mu',)

    def __init__(self, form='standard'):
        self.form = form
        self.name = 'vanderpol' if form == 'standard' else 'vanderpolScaled'
        if form == 'standard':
            self.equations = ["x' = y", "y' = mu*(1 - x^2)*y - x"]
        else:
            self.equations = ["x' = y", "y' = mu*((1 - x^2)*y - x)"]

    def f(self, y, p):
        (mu,) = p
        x, v = y
        if self.form == 'standard':
            return np.array([v, mu * (1 - x * x) * v - x])
        return np.array([v, mu * ((1 - x * x) * v - x)])

    def jac(self, y, p):
        (mu,) = p
        x, v = y
        c = 1.0 if self.form == 'standard' else mu
        return np.array([[0.0, 1.0], [-2 * mu * x * v - c, mu * (1 - x * x)]])

    def hess(self, y, p):
        (mu,) = p
        x, v = y
        H = np.zeros((2, 2, 2))
        H[1, 0, 0] = -2 * mu * v
        H[1, 0, 1] = H[1, 1, 0] = -2 * mu * x
        return H

    def fp(self, y, p):
        x, v = y
        if self.form == 'standard':
            return np.array([[0.0], [(1 - x * x) * v]])
        return np.array([[0.0], [(1 - x * x) * v - x]])

    def jacp(self, y, p):
        x, v = y
        Jp = np.zeros((2, 2, 1))
        Jp[1, 0, 0] = -2 * x * v - (0.0 if self.form == 'standard' else 1.0)
        Jp[1, 1, 0] = 1 - x * x
        return Jp


class Hires(Problem):
    name = 'hires'
    n = 8
    param_names = ()
    equations = [
        "y1' = -1.71*y1 + 0.43*y2 + 8.32*y3 + 0.0007",
        "y2' = 1.71*y1 - 8.75*y2",
        "y3' = -10.03*y3 + 0.43*y4 + 0.035*y5",
        "y4' = 8.32*y2 + 1.71*y3 - 1.12*y4",
        "y5' = -1.745*y5 + 0.43*y6 + 0.43*y7",
        "y6' = -280*y6*y8 + 0.69*y4 + 1.71*y5 - 0.43*y6 + 0.69*y7",
        "y7' = 280*y6*y8 - 1.81*y7",
        "y8' = -280*y6*y8 + 1.81*y7",
    ]
    J0 = np.array(
        [
            [-1.71, 0.43, 8.32, 0, 0, 0, 0, 0],
            [1.71, -8.75, 0, 0, 0, 0, 0, 0],
            [0, 0, -10.03, 0.43, 0.035, 0, 0, 0],
            [0, 8.32, 1.71, -1.12, 0, 0, 0, 0],
            [0, 0, 0, 0, -1.745, 0.43, 0.43, 0],
            [0, 0, 0, 0.69, 1.71, -0.43, 0.69, 0],
            [0, 0, 0, 0, 0, 0, -1.81, 0],
            [0, 0, 0, 0, 0, 0, 1.81, 0],
        ],
        dtype=float,
    )

    def f(self, y, p):
        r = 280.0 * y[5] * y[7]
        out = self.J0 @ y
        out[0] += 0.0007
        out[5] -= r
        out[6] += r
        out[7] -= r
        return out

    def jac(self, y, p):
        J = self.J0.copy()
        a, b = 280.0 * y[7], 280.0 * y[5]
        J[5, 5] -= a
        J[5, 7] -= b
        J[6, 5] += a
        J[6, 7] += b
        J[7, 5] -= a
        J[7, 7] -= b
        return J

    def hess(self, y, p):
        H = np.zeros((8, 8, 8))
        for i, s in ((5, -1.0), (6, 1.0), (7, -1.0)):
            H[i, 5, 7] = H[i, 7, 5] = 280.0 * s
        return H


class Orego(Problem):
    name = 'orego'
    n = 3
    param_names = ()
    s, q, w = 77.27, 8.375e-6, 0.161
    equations = [
        "y1' = 77.27*(y2 + y1*(1 - 8.375e-6*y1 - y2))",
        "y2' = (y3 - (1 + y1)*y2)/77.27",
        "y3' = 0.161*(y1 - y3)",
    ]

    def f(self, y, p):
        s, q, w = self.s, self.q, self.w
        y1, y2, y3 = y
        return np.array([s * (y2 + y1 * (1 - q * y1 - y2)), (y3 - (1 + y1) * y2) / s, w * (y1 - y3)])

    def jac(self, y, p):
        s, q, w = self.s, self.q, self.w
        y1, y2, _ = y
        return np.array(
            [
                [s * (1 - 2 * q * y1 - y2), s * (1 - y1), 0.0],
                [-y2 / s, -(1 + y1) / s, 1 / s],
                [w, 0.0, -w],
            ]
        )

    def hess(self, y, p):
        s, q = self.s, self.q
        H = np.zeros((3, 3, 3))
        H[0, 0, 0] = -2 * s * q
        H[0, 0, 1] = H[0, 1, 0] = -s
        H[1, 0, 1] = H[1, 1, 0] = -1 / s
        return H


# ----------------------------------------------------------------------------------------
# Variational system
# ----------------------------------------------------------------------------------------


def augmented(prob, p):
    n, m = prob.n, len(p)
    nn = n * n
    N = n + nn + n * m
    In, Im = np.eye(n), np.eye(m)

    def rhs(t, Y):
        y = Y[:n]
        Phi = Y[n : n + nn].reshape(n, n)
        S = Y[n + nn :].reshape(n, m)
        J = prob.jac(y, p)
        out = np.empty(N)
        out[:n] = prob.f(y, p)
        out[n : n + nn] = (J @ Phi).ravel()
        if m:
            out[n + nn :] = (J @ S + prob.fp(y, p)).ravel()
        return out

    def jac(t, Y):
        y = Y[:n]
        Phi = Y[n : n + nn].reshape(n, n)
        S = Y[n + nn :].reshape(n, m)
        J = prob.jac(y, p)
        H = prob.hess(y, p)
        A = np.zeros((N, N))
        A[:n, :n] = J
        A[n : n + nn, :n] = np.einsum('ilk,lj->ijk', H, Phi).reshape(nn, n)
        A[n : n + nn, n : n + nn] = np.kron(J, In)
        if m:
            Jp = prob.jacp(y, p)
            A[n + nn :, :n] = (np.einsum('ilk,lj->ijk', H, S) + Jp.transpose(0, 2, 1)).reshape(n * m, n)
            A[n + nn :, n + nn :] = np.kron(J, Im)
        return A

    Y0 = lambda y0: np.concatenate([np.asarray(y0, float), In.ravel(), np.zeros(n * m)])  # noqa: E731
    return rhs, jac, Y0, N


def check_derivatives(prob, p, y):
    """Compare the hand-coded derivatives with central differences at y; returns max rel error."""
    p = np.asarray(p, float)
    y = np.asarray(y, float)
    worst = 0.0

    def cmp(a, b):
        scale = max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-300)
        return np.max(np.abs(a - b)) / scale

    def dcol(fun, x, j):
        h = 1e-6 * max(abs(x[j]), 1e-3)
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        return (fun(xp) - fun(xm)) / (2 * h)

    J = prob.jac(y, p)
    H = prob.hess(y, p)
    Jfd = np.stack([dcol(lambda z: prob.f(z, p), y, k) for k in range(prob.n)], axis=-1)
    Hfd = np.stack([dcol(lambda z: prob.jac(z, p), y, k) for k in range(prob.n)], axis=-1)
    worst = max(worst, cmp(J, Jfd), cmp(H, Hfd))
    if len(p):
        fp = prob.fp(y, p)
        Jp = prob.jacp(y, p)
        fpfd = np.stack([dcol(lambda q: prob.f(y, q), p, k) for k in range(len(p))], axis=-1)
        Jpfd = np.stack([dcol(lambda q: prob.jac(y, q), p, k) for k in range(len(p))], axis=-1)
        worst = max(worst, cmp(fp, fpfd), cmp(Jp, Jpfd))
    rhs, ajac, Y0, N = augmented(prob, p)
    rng = np.random.default_rng(1)
    Y = np.concatenate([y, rng.standard_normal(N - prob.n)])
    A = ajac(0.0, Y)
    Afd = np.stack([dcol(lambda z: rhs(0.0, z), Y, k) for k in range(N)], axis=-1)
    worst = max(worst, cmp(A, Afd))
    return worst


# ----------------------------------------------------------------------------------------
# Integration helpers
# ----------------------------------------------------------------------------------------


def integrate(rhs, jac, Y0, times, rtol, atol, record_max=False):
    """Integrate from t = 0 through every time in `times`, restarting the solver at each one (so
    every output is a step end point).  Returns (states at the output times, stats[, max |Y|])."""
    t0 = 0.0
    Y = np.array(Y0, float)
    outs = []
    ymax = np.abs(Y).copy()
    stats = {'steps': 0, 'nfev': 0, 'njev': 0, 'nlu': 0}
    for t1 in times:
        sol = solve_ivp(rhs, (t0, t1), Y, method='Radau', jac=jac, rtol=rtol, atol=atol)
        if sol.status != 0:
            raise RuntimeError(f'solve_ivp failed on [{t0}, {t1}]: {sol.message}')
        stats['steps'] += len(sol.t) - 1
        stats['nfev'] += sol.nfev
        stats['njev'] += sol.njev
        stats['nlu'] += sol.nlu
        if record_max:
            ymax = np.maximum(ymax, np.max(np.abs(sol.y), axis=1))
        Y = sol.y[:, -1].copy()
        outs.append(Y.copy())
        t0 = t1
    return (np.array(outs), stats, ymax) if record_max else (np.array(outs), stats)


def variational_task(prob, p, y0, times, rtol, atol, record_max=False):
    rhs, jac, Y0fun, _ = augmented(prob, np.asarray(p, float))
    return integrate(rhs, jac, Y0fun(y0), times, rtol, atol, record_max)


def state_task(prob, p, y0, times, rtol, atol, shift=None):
    """State-only solve.  With `shift`, the solver works on z = y - shift (f(z + shift), same J) and
    z is returned: a component that ends near a large constant (Robertson's y3 -> 1) then keeps its
    small change in full relative precision, so that finite differences of it do not cancel."""
    p = np.asarray(p, float)
    c = np.zeros(len(y0)) if shift is None else np.asarray(shift, float)
    return integrate(
        lambda t, z: prob.f(z + c, p), lambda t, z: prob.jac(z + c, p), np.asarray(y0, float) - c, times, rtol, atol
    )[0]


def run_task(task):
    kind, args = task
    t0 = time.time()
    res = variational_task(*args) if kind == 'var' else state_task(*args)
    return res, time.time() - t0


def run_tasks(tasks, workers):
    if workers <= 1 or len(tasks) == 1:
        return [run_task(t) for t in tasks]
    ctx = multiprocessing.get_context('fork')
    with ctx.Pool(workers) as pool:
        return pool.map(run_task, tasks, chunksize=1)


def rel_diff(a, b, floor=0.0):
    """Elementwise |a - b| / max(|a|, |b|, floor)."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    den = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
    safe = np.where(den > 0, den, 1.0)
    return np.where(den > 0, np.abs(a - b) / safe, 0.0)


def worst_entry(A, B):
    """Largest entrywise relative difference (only exact zeros are exempt)."""
    return float(np.max(rel_diff(A, B, 1e-300))) if A.size else 0.0


def worst_col(A, B):
    """Largest difference relative to the largest |entry| of its column of A."""
    if not A.size:
        return 0.0
    den = np.max(np.abs(A), axis=0, keepdims=True)
    return float(np.max(np.abs(A - B) / np.where(den > 0, den, 1.0)))


def floats(a):
    return [float(x) for x in np.asarray(a, float).ravel()]


# ----------------------------------------------------------------------------------------
# One problem
# ----------------------------------------------------------------------------------------

# Finite-difference stencils: (offsets in units of h, weights, divisor in units of h)
CENTRAL = ((-1, 1), (-1.0, 1.0), 2.0)
FIVE_POINT = ((-2, -1, 1, 2), (1.0, -8.0, 8.0, -1.0), 12.0)
FORWARD2 = ((0, 1, 2), (-3.0, 4.0, -1.0), 2.0)
FORWARD4 = ((0, 1, 2, 3, 4), (-25.0, 48.0, -36.0, 16.0, -3.0), 12.0)


def pick_from_ladder(D):
    """D: list of 4th-order estimates (arrays of equal shape) for decreasing steps.  Per entry, take
    the estimate that agrees best with its neighbours on the ladder (max of the differences to
    them); returns (values, index chosen, that difference as an error estimate).  The choice
    uses finite differences only, never the variational values it is compared with afterwards."""
    D = np.asarray(D)
    if len(D) == 1:
        return D[0], np.zeros(D.shape[1:], int), np.full(D.shape[1:], np.nan)
    diffs = np.abs(np.diff(D, axis=0))
    err = np.empty_like(D)
    err[0] = diffs[0]
    err[-1] = diffs[-1]
    for k in range(1, len(D) - 1):
        err[k] = np.maximum(diffs[k - 1], diffs[k])
    idx = np.argmin(err, axis=0)
    take = lambda A: np.take_along_axis(A, idx[None], axis=0)[0]  # noqa: E731
    return take(D), idx, take(err)


def prepare_problem(spec, quick):
    """Checks the derivatives, runs the preliminary solve and lists the solves this problem needs.
    Returns (tasks, finish, cost); finish(results of the tasks) builds the problem's JSON entry."""
    prob = spec['problem']
    p = np.asarray(spec['params'], float)
    y0 = np.asarray(spec['y0'], float)
    times = spec['times']
    n, m = prob.n, len(p)
    nn = n * n
    tstart = time.time()

    deriv_err = check_derivatives(prob, p, spec['derivCheckPoint'])
    if deriv_err > 1e-6:
        raise RuntimeError(f'{prob.name}: hand-coded derivatives disagree with finite differences ({deriv_err})')

    rtol = max(spec['rtol'] * (1e3 if quick else 1.0), MIN_RTOL)
    loose_rtol = 10 * rtol
    factor = spec.get('atolFactor', 1e-3)
    floor = 1e-300

    # Preliminary run: largest magnitude of every component (and the outputs), for the atol.
    N = n + nn + n * m
    pre, pre_stats, scale = variational_task(prob, p, y0, times, 1e-6, np.full(N, 1e-20), record_max=True)

    def atol_for(r):
        return np.maximum(factor * r * scale, floor)

    atol = atol_for(rtol)

    # State-only runs for the finite differences: atol from the SMALLEST magnitude a component
    # has at the output times (these 2-8 dimensional solves can afford near-pure relative
    # control; with the variational atol, components that decay by orders of magnitude, like
    # Robertson's y1 and y2, would be resolved only to ~1e-9 relative at late times).
    fd = spec['fd']
    shift = np.zeros(n) if fd.get('shift') is None else np.asarray(fd['shift'], float)
    zmag = np.abs(pre[:, :n] - shift)
    zmin = np.where(zmag > 0, zmag, np.inf).min(axis=0)
    state_atol = np.maximum(factor * rtol * np.minimum(scale[:n], zmin), floor)

    directions = []
    for kind, base_vec, refs in (('p', p, fd.get('refP', [1.0] * m)), ('y0', y0, fd.get('refY0', [1.0] * n))):
        for j, base in enumerate(base_vec):
            unit = abs(base) if base != 0 else refs[j]
            over = fd.get('steps', {}).get((kind, j), {})
            one_sided = kind == 'y0' and j in fd.get('oneSidedY0', ())
            directions.append(
                {
                    'kind': kind,
                    'index': j,
                    'name': (prob.param_names[j] if kind == 'p' else f'y0[{j}]'),
                    'unit': unit,
                    'oneSided': one_sided,
                    'plain': (FORWARD2 if one_sided else CENTRAL, over.get('h', fd['h']) * unit),
                    'ladder': [
                        (FORWARD4 if one_sided else FIVE_POINT, hr * unit) for hr in over.get('ladder', fd['ladder'])
                    ],
                }
            )

    tasks = [
        ('var', (prob, p, y0, times, rtol, atol)),
        ('var', (prob, p, y0, times, loose_rtol, atol_for(loose_rtol))),
    ]
    point_keys = {}

    def point(kind, j, delta):
        key = (kind, j, delta) if delta != 0 else ('base',)
        if key not in point_keys:
            q, z = p.copy(), y0.copy()
            if delta != 0:
                (q if kind == 'p' else z)[j] += delta
            point_keys[key] = len(tasks)
            tasks.append(('state', (prob, q, z, times, rtol, state_atol, shift)))
        return point_keys[key]

    def stencil_tasks(d, stencil, h):
        offs, wts, div = stencil
        return [(point(d['kind'], d['index'], o * h), w) for o, w in zip(offs, wts)], div * h

    for d in directions:
        d['plainTasks'] = stencil_tasks(d, *d['plain'])
        d['ladderTasks'] = [stencil_tasks(d, st, h) for st, h in d['ladder']]

    # rough cost of one solve, for scheduling: steps of the preliminary run times the system size
    cost = pre_stats['steps'] * (1 + 0.05 * N)
    def finish(results):
        """results: (value, seconds) per task, in the order of `tasks`."""
        (outs, stats), var_secs = results[0]
        (loose, _), _ = results[1]
        fd_secs = sum(r[1] for r in results[2:])
        print(f'\n== {spec["key"]} ==')
        print(f'  hand-coded J, d2f/dy2, df/dp, d2f/dydp, augmented Jacobian vs differences: {deriv_err:.1e}')
        print(
            f'  variational solve, rtol={rtol:g}: {stats["steps"]} steps, {var_secs:.1f} s; '
            f'{len(tasks) - 2} state-only solves for finite differences: {fd_secs:.1f} s',
            flush=True,
        )

        def combine(tl):
            terms, div = tl
            return sum(w * results[i][0] for i, w in terms) / div  # (len(times), n), z differences

        fdv = {}  # kind -> (plain, high, chosen-step index, error estimate), each (len(times), n, ncols)
        for kind, ncols in (('p', m), ('y0', n)):
            cols = [d for d in directions if d['kind'] == kind]
            plain = np.zeros((len(times), n, ncols))
            high = np.zeros_like(plain)
            which = np.zeros(plain.shape, int)
            est = np.zeros_like(plain)
            for c, d in enumerate(cols):
                plain[:, :, c] = combine(d['plainTasks'])
                v, i, e = pick_from_ladder([combine(tl) for tl in d['ladderTasks']])
                high[:, :, c], which[:, :, c], est[:, :, c] = v, i, e
            fdv[kind] = (plain, high, which, est)

        entries = []
        for it, t1 in enumerate(times):
            Y, Yl = outs[it], loose[it]
            yv = Y[:n]
            Phi = Y[n : n + nn].reshape(n, n)
            S = Y[n + nn :].reshape(n, m)
            e = {'t': float(t1), 'y': floats(yv), 'phi': floats(Phi)}
            if m:
                e['sens'] = floats(S)
            mats = [('Phi', 'phi', Phi, 'y0')] + ([('Sens', 'sens', S, 'p')] if m else [])
            for cap, low, A, kind in mats:
                plain, high, which, est = fdv[kind]
                e['fd' + cap] = floats(high[it])
                e['fd' + cap + 'Central'] = floats(plain[it])
                cols = [d for d in directions if d['kind'] == kind]
                e['fd' + cap + 'Step'] = floats(
                    [[cols[c]['ladder'][which[it, i, c]][1] for c in range(len(cols))] for i in range(n)]
                )
                e['fd' + cap + 'ErrorEstimate'] = floats(est[it])
            dis = {}
            for cap, low, A, kind in mats:
                plain, high = fdv[kind][0][it], fdv[kind][1][it]
                dis[low] = {
                    'entrywise': floats(rel_diff(A, high, 1e-300)),
                    'max': worst_entry(A, high),
                    'maxCentral': worst_entry(A, plain),
                    'maxColumnScaled': worst_col(A, high),
                }
            e['maxRelDisagreement'] = max(d['max'] for d in dis.values())
            e['maxRelDisagreementCentral'] = max(d['maxCentral'] for d in dis.values())
            e['disagreement'] = dis
            ch = {'y': worst_entry(yv, Yl[:n]), 'phi': worst_entry(Phi, Yl[n : n + nn].reshape(n, n))}
            if m:
                ch['sens'] = worst_entry(S, Yl[n + nn :].reshape(n, m))
            e['looseRtolMaxRelChange'] = ch
            if t1 in spec.get('published', {}):
                pub = np.asarray(spec['published'][t1], float)
                e['yPublished'] = floats(pub)
                e['publishedMaxRelDiff'] = float(np.max(rel_diff(yv, pub)))
            if spec.get('conserved') is not None:
                w = np.asarray(spec['conserved'], float)
                c = {'weights': floats(w), 'wDotYMinusInitial': float(w @ yv - w @ y0), 'wPhiMinusW': floats(w @ Phi - w)}
                if m:
                    c['wSens'] = floats(w @ S)
                e['conservation'] = c
            entries.append(e)
            msg = (
                f'  t={t1:<11g} max rel FD disagreement {e["maxRelDisagreement"]:.1e} '
                f'(plain h={fd["h"]:g}: {e["maxRelDisagreementCentral"]:.1e}); change at rtol*10: '
                + ', '.join(f'{k} {v:.1e}' for k, v in ch.items())
            )
            if 'publishedMaxRelDiff' in e:
                msg += f'; vs published {e["publishedMaxRelDiff"]:.1e}'
            print(msg, flush=True)

        out = {
            'equations': prob.equations,
            'params': dict(zip(prob.param_names, floats(p))),
            'y0': floats(y0),
            **{k: spec[k] for k in ('source', 'provenance') if k in spec},
            'rtol': rtol,
            'atol': floats(atol[:n]),
            'atolPhi': floats(atol[n : n + nn]),
            **({'atolSens': floats(atol[n + nn :])} if m else {}),
            'atolRule': f'{factor:g} * rtol * (largest |component| at the step points of a preliminary '
            'rtol=1e-6, atol=1e-20 run of the variational system), per component',
            'looseRtol': loose_rtol,
            'fd': {
                'rtol': rtol,
                'atol': floats(state_atol),
                'atolRule': f'{factor:g} * rtol * min(largest |component|, smallest |component| at the output times)',
                **({'integratedAsYMinus': floats(shift)} if fd.get('shift') is not None else {}),
                'directions': [
                    {
                        'direction': d['name'],
                        'central': {
                            'stencil': 'forward 3-point, 2nd order' if d['oneSided'] else 'central 2-point',
                            'h': d['plain'][1],
                        },
                        'highOrder': {
                            'stencil': 'forward 5-point, 4th order' if d['oneSided'] else 'central 5-point, 4th order',
                            'h': [h for _, h in d['ladder']],
                        },
                    }
                    for d in directions
                ],
            },
            'solverStats': stats,
            'derivativeCheckMaxRelDiff': deriv_err,
            'maxAbsAlongTrajectory': {
                'y': floats(scale[:n]),
                'phi': floats(scale[n : n + nn]),
                **({'sens': floats(scale[n + nn :])} if m else {}),
            },
            'notes': [],
            'outputs': entries,
        }
        out['notes'] = spec['notes'](out) if callable(spec.get('notes')) else list(spec.get('notes', []))
        out['notes'] += generic_notes(out, prob)
        out['cpuSeconds'] = round(sum(r[1] for r in results), 1)
        return out

    return tasks, finish, cost


# ----------------------------------------------------------------------------------------
# Problem set-ups
# ----------------------------------------------------------------------------------------

LAYOUT = (
    'y[i]; phi[i*n + j] = dy_i(t)/dy0_j; sens[i*np + k] = dy_i(t)/dp_k (row-major; parameters in the order of '
    '"params").  fdPhi/fdSens: finite-difference counterparts from 4th-order stencils (steps in fdPhiStep/'
    'fdSensStep, per entry; where a problem tries several steps, each entry takes the one that agrees best with '
    'its neighbours on the ladder, judged among the finite differences only, and fd*ErrorEstimate is that '
    'difference); fdPhiCentral/fdSensCentral: central differences with relative step 1e-6 (forward 3-point for '
    'initial values that must not go negative).  disagreement.*.entrywise: |a - b| / max(|a|, |b|) per entry '
    'against fdPhi/fdSens; maxRelDisagreement: its max over phi and sens; maxRelDisagreementCentral: the same '
    'against the central ones; maxColumnScaled: |a - b| / max |column of a|.  looseRtolMaxRelChange: entrywise '
    'relative change against a solve with 10x looser rtol.  conservation: w.y - w.y0, w.phi - w and w.sens for a '
    'conserved linear combination w (should be ~0).  Lengths of y0 perturbations that are 0 are relative to '
    'refY0 in the script.'
)


TESTSET = (
    'F. Mazzia and C. Magherini, Test Set for Initial Value Problem Solvers, release 2.4, Department of '
    'Mathematics, University of Bari and INdAM, Research Unit of Bari (February 2008), '
    'http://www.dm.uniba.it/~testset (now https://archimede.uniba.it/~testset/)'
)

HIRES_PUBLISHED = [
    0.7371312573325668e-3,
    0.1442485726316185e-3,
    0.5888729740967575e-4,
    0.1175651343283149e-2,
    0.2386356198831331e-2,
    0.6238968252742796e-2,
    0.2849998395185769e-2,
    0.2850001604814231e-2,
]
OREGO_PUBLISHED = [0.1000814870318523e1, 0.1228178521549917e4, 0.1320554942846706e3]
ROBERTSON_PUBLISHED_1E11 = [0.2083340149701255e-7, 0.8333360770334713e-13, 0.9999999791665050]

SCIPY_COMPUTED = (
    'y, phi and sens are computed here by SciPy (Radau on the variational system); fdPhi/fdSens and the '
    'HighOrder ones by finite differences of SciPy state-only solutions'
)


def mat(o, key, n):
    return np.asarray(o[key], float).reshape(n, -1)


def generic_notes(out, prob):
    """Lists every entry whose finite-difference disagreement exceeds 1e-5."""
    n = prob.n
    notes = []
    for o in out['outputs']:
        for key in ('phi', 'sens'):
            if key not in o:
                continue
            r = np.asarray(o['disagreement'][key]['entrywise']).reshape(n, -1)
            bad = [f'[{i}][{k}] {r[i, k]:.1e}' for i, k in zip(*np.nonzero(r > 1e-5))]
            if bad:
                notes.append(f't = {o["t"]:g}: {key} entries whose finite-difference disagreement exceeds 1e-5: '
                             + ', '.join(bad) + ' (see the notes above for why)')
    return notes


def robertson_notes(out):
    notes = []
    for o in out['outputs']:
        S = mat(o, 'sens', 3)
        r = np.asarray(o['disagreement']['sens']['entrywise']).reshape(3, 3)
        rp = np.asarray(o['disagreement']['phi']['entrywise']).reshape(3, 3)
        cons = np.abs(np.asarray(o['conservation']['wSens'])) / np.abs(S[2])
        notes.append(
            f't = {o["t"]:g}: finite differences agree with phi to {rp.max():.1e} and with rows y1, y2 of sens to '
            f'{r[:2].max():.1e}; row y3 of sens {r[2].max():.1e}; the variational sens satisfies '
            f'sum_i sens[i][k] = 0 to {cons.max():.1e} relative to sens[2][k]'
        )
    notes.append(
        'Row y3 of fdSens at t >= 4e10 is limited by rounding, not by the variational values: every solve carries '
        'an absolute drift of ~1e-14 in y1 + y2 + y3 (conservation.wDotYMinusInitial), all of which ends up in '
        'y3, while dy3/dk * h is only ~1e-10 at the largest usable steps (y3 is integrated as y3 - 1 in the '
        'finite-difference solves, which removes the cancellation against 1 but not this drift).  The '
        'variational y3 row is tied to rows y1 and y2 by the exact linear invariant, which it keeps to the '
        'figure quoted above, and rows y1, y2 agree with finite differences to ~1e-8 or better.'
    )
    notes.append(
        'fdSensCentral / fdPhiCentral (central differences with relative step 1e-6, as first asked for) are '
        'noisy at t >= 4e10: a 1e-6 change of k moves y1 and y2 by ~1e-6 relative, comparable with the solver '
        'noise there, and y3 as above.  The fdSens / fdPhi values use 4th-order stencils with relative steps '
        '1e-3 (parameters, y1(0), y3(0)) and, for y2(0) (forward differences, since y2 < 0 makes y2\' ~ -k3 y2^2 '
        'blow up), a ladder 1e-4, 1e-5, 1e-6 from which each entry takes the step that agrees best with its '
        'neighbours (1e-6 at t = 40, where y2(0) = 1e-4 would be nonlinear against y2 ~ 4e-5; 1e-4 later).'
    )
    notes.append(
        'Independent check of the state: at t = 1e11, y agrees with the published test-set value (yPublished) '
        f'to {out["outputs"][-1]["publishedMaxRelDiff"]:.1e} relative.'
    )
    return notes


def vanderpol_notes(out):
    o = out['outputs'][-1]
    big = max(out['maxAbsAlongTrajectory']['phi'])
    return [
        "The equation is the standard one, y' = mu*(1 - x^2)*y - x (MATLAB's vdp1000, Hairer & Wanner, and "
        "odeforge's own tests): at t = 3000 it has made about two relaxation cycles.  The form "
        "y' = mu*((1 - x^2)*y - x) (mu also on the restoring term) oscillates with a period of ~1.6 instead of "
        "~1600, so reaching t = 3000 would take ~2000 relaxation cycles; it is kept separately, to t = 1 only, "
        "as problem vanderpolScaled.",
        f'phi grows to {big:.1e} across the fast transitions before coming back to O(1), so the double-precision '
        f'rounding of those intermediate values bounds the accuracy of phi and sens at t = 1500 and 3000 to about '
        f'1e-7 relative: the run at 10x looser rtol differs by {o["looseRtolMaxRelChange"]["phi"]:.1e} (phi) and '
        f'{o["looseRtolMaxRelChange"]["sens"]:.1e} (sens) at t = 3000, and repeated runs that differ only in '
        'rounding (e.g. the BLAS thread count) move them by ~2e-7.  y is good to ~1e-10.',
        'fdPhiCentral for y0[1] = 0 uses an absolute step 1e-6, too small for y (which reaches ~1300 in the '
        'transitions); fdPhi uses 4th-order stencils with relative step 1e-4 (absolute 1e-3 for y0[1]).',
    ]


def hires_notes(out):
    o = out['outputs'][0]
    return [
        f'y agrees with the published reference (yPublished) to {o["publishedMaxRelDiff"]:.1e} relative '
        '(max over components).  phi is computed here only (no published value).',
        'The columns of phi for y7(0) and y8(0) are large (|phi| up to ~60): the end state depends strongly on '
        'the total enzyme y7 + y8 (conserved, see conservation).  Finite-difference steps for the initial values '
        'that are 0 are relative to 1e-2 (absolute 1e-8 central, 1e-6 4th order): larger ones are nonlinear for '
        'these columns.',
    ]


def orego_notes(out):
    o = out['outputs'][0]
    return [
        f'y agrees with the published reference (yPublished) to {o["publishedMaxRelDiff"]:.1e} relative '
        '(max over components).  phi is computed here only (no published value).',
        'Row y1 of phi is tiny (~1e-8..1e-4) while y1 ~ 1 (y1 is in quasi-steady state at t = 360), so its '
        'finite differences need large steps: the y1(0) column uses a 4th-order stencil with relative step '
        '1e-2; fdPhiCentral (relative step 1e-6) is off by ~1e-3 in that entry for this reason.',
    ]


def specs():
    return [
        {
            'key': 'robertson',
            'problem': Robertson(),
            'params': [0.04, 1e4, 3e7],
            'y0': [1.0, 0.0, 0.0],
            'times': [40.0, 4e5, 4e10, 1e11],
            'rtol': 1e-13,
            'derivCheckPoint': [0.9, 2e-5, 0.1],
            # y0[1] = 0: a negative y2 makes y2' ~ -k3*y2^2 blow up, hence forward differences there.
            'fd': {
                'h': 1e-6,
                'ladder': [1e-3],
                'refY0': [1.0, 1.0, 1.0],
                'oneSidedY0': (1, 2),
                'shift': [0.0, 0.0, 1.0],
                # y2(0): 1e-6 is needed at t = 40 (y2's own scale is ~4e-5), 1e-4 at t >= 4e5
                'steps': {('y0', 1): {'ladder': [1e-4, 1e-5, 1e-6]}},
            },
            'conserved': [1.0, 1.0, 1.0],
            'published': {1e11: ROBERTSON_PUBLISHED_1E11},
            'notes': robertson_notes,
            'source': 'H. H. Robertson (1966); the t = 1e11 value "yPublished" is problem ROBER of ' + TESTSET,
            'provenance': SCIPY_COMPUTED + '; yPublished (t = 1e11 only) is copied from the test set.',
        },
        {
            'key': 'vanderpol',
            'problem': VanDerPol('standard'),
            'params': [1000.0],
            'y0': [2.0, 0.0],
            'times': [1.0, 1500.0, 3000.0],
            'rtol': 1e-13,
            'derivCheckPoint': [1.5, -0.7],
            'fd': {'h': 1e-6, 'ladder': [1e-4], 'refY0': [1.0, 1.0], 'steps': {('y0', 1): {'ladder': [1e-3]}}},
            'source': "Van der Pol oscillator as in MATLAB's vdp1000 / Hairer & Wanner; no published reference",
            'notes': vanderpol_notes,
            'provenance': SCIPY_COMPUTED + '.',
        },
        {
            'key': 'vanderpolScaled',
            'problem': VanDerPol('scaled'),
            'params': [1000.0],
            'y0': [2.0, 0.0],
            'times': [1.0],
            'rtol': 1e-13,
            'derivCheckPoint': [1.5, -0.7],
            'fd': {'h': 1e-6, 'ladder': [1e-4], 'refY0': [1.0, 1.0]},
            'source': 'Van der Pol with the restoring term also multiplied by mu; no published reference',
            'notes': [
                "y' = mu*((1 - x^2)*y - x) taken literally (see the notes of vanderpol): one relaxation cycle "
                'lasts ~1.6, the first fast transition happens before t = 1.'
            ],
            'provenance': SCIPY_COMPUTED + '.',
        },
        {
            'key': 'hires',
            'problem': Hires(),
            'params': [],
            'y0': [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0057],
            'times': [321.8122],
            'rtol': 1e-13,
            'derivCheckPoint': [0.5, 0.1, 0.01, 0.01, 0.01, 0.01, 0.003, 0.003],
            'fd': {'h': 1e-6, 'ladder': [1e-4], 'refY0': [1e-2] * 8},
            'conserved': [0, 0, 0, 0, 0, 0, 1.0, 1.0],
            'published': {321.8122: HIRES_PUBLISHED},
            'notes': hires_notes,
            'source': 'Problem HIRES of ' + TESTSET + '; "yPublished" is its reference solution at t = 321.8122',
            'provenance': SCIPY_COMPUTED + '; yPublished is copied from the test set.',
        },
        {
            'key': 'orego',
            'problem': Orego(),
            'params': [],
            'y0': [1.0, 2.0, 3.0],
            'times': [360.0],
            'rtol': 1e-13,
            'derivCheckPoint': [1.5, 2.0, 3.0],
            # y0[0]: Phi[0][j] ~ 1e-8..1e-4 sits on y1 ~ 1, so smaller steps drown in rounding
            'fd': {'h': 1e-6, 'ladder': [1e-4], 'refY0': [1.0] * 3, 'steps': {('y0', 0): {'ladder': [1e-2]}}},
            'published': {360.0: OREGO_PUBLISHED},
            'notes': orego_notes,
            'source': 'Problem OREGO of ' + TESTSET + '; "yPublished" is its reference solution at t = 360',
            'provenance': SCIPY_COMPUTED + '; yPublished is copied from the test set.',
        },
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=DEFAULT_OUT)
    ap.add_argument('--quick', action='store_true', help='rtol 1000x looser, to try the script out')
    ap.add_argument('--only', default='', help='comma-separated problem keys')
    ap.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument('--no-format', action='store_true', help='do not run the repository\'s Biome on the output')
    args = ap.parse_args()
    only = set(filter(None, args.only.split(',')))
    t_all = time.time()
    problems = {}
    chosen = [s for s in specs() if not only or s['key'] in only]
    prepared = []
    for spec in chosen:
        tasks, finish, cost = prepare_problem(spec, args.quick)
        prepared.append((spec['key'], tasks, finish, cost))
    # One pool for every solve of every problem, longest first, so that both cores stay busy.
    flat = [(cost * (20 if t[0] == 'var' else 1), pi, ti) for pi, (_, tasks, _, cost) in enumerate(prepared)
            for ti, t in enumerate(tasks)]
    flat.sort(reverse=True)
    print(f'{len(flat)} solves on {args.workers} worker(s) ...', flush=True)
    res = run_tasks([prepared[pi][1][ti] for _, pi, ti in flat], args.workers)
    per = [[None] * len(tasks) for _, tasks, _, _ in prepared]
    for (_, pi, ti), r in zip(flat, res):
        per[pi][ti] = r
    for (key, _, finish, _), results in zip(prepared, per):
        problems[key] = finish(results)

    doc = {
        'generatedBy': 'scripts/stiff-references.py',
        'scipy': scipy.__version__,
        'numpy': np.__version__,
        'python': platform.python_version(),
        'layout': LAYOUT,
        'problems': problems,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    def strict(x):
        # JSON has no NaN: an undefined estimate (a finite-difference error where none could be formed) is null.
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, list):
            return [strict(v) for v in x]
        if isinstance(x, dict):
            return {k: strict(v) for k, v in x.items()}
        return x

    with open(args.out, 'w') as fh:
        json.dump(strict(doc), fh, indent=2, allow_nan=False)
        fh.write('\n')
    biome = os.path.join(ROOT, 'node_modules', '.bin', 'biome')
    if not args.no_format and os.path.exists(biome):
        # Keep the file in the layout `npm run lint` expects (numbers are not changed).
        subprocess.run([biome, 'format', '--write', args.out], cwd=ROOT, check=False, capture_output=True)
    print_summary(problems)
    print(f'\nwrote {args.out} in {time.time() - t_all:.1f} s')


def print_summary(problems):
    print('\n== summary ==')
    print(f'{"problem":<16}{"t":>11}  {"FD disagr.":>10}  {"rtol*10 chg":>11}  {"vs publ.":>8}')
    for key, pr in problems.items():
        for o in pr['outputs']:
            ch = max(o['looseRtolMaxRelChange'].values())
            pub = f'{o["publishedMaxRelDiff"]:8.1e}' if 'publishedMaxRelDiff' in o else f'{"-":>8}'
            print(f'{key:<16}{o["t"]:>11g}  {o["maxRelDisagreement"]:>10.1e}  {ch:>11.1e}  {pub}')
    for key, t in (('robertson', 4e10), ('vanderpol', 3000.0)):
        if key not in problems:
            continue
        o = next(o for o in problems[key]['outputs'] if o['t'] == t)
        print(f'\n{key} at t = {t:g}:')
        for field in ('y', 'sens', 'phi'):
            print(f'  {field:<5}', ' '.join(repr(v) for v in o[field]))
    for key, pr in problems.items():
        for note in pr['notes']:
            if 'exceeds 1e-5' in note:
                print(f'{key}: {note}')


if __name__ == '__main__':
    main()
