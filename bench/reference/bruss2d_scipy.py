"""SciPy's BDF on the 2-D Brusselator of bench/bruss2d.ts, state only, with the Jacobian's sparsity pattern.

Usage: python3 bruss2d_scipy.py N T1 RTOL ATOL — prints one JSON line: seconds, steps (nfev, njev, nlu) and the
final state's checksum (sum and max of u) so the two solvers can be compared. Same model: u, v on a periodic
N x N grid (spacing 1/N), u' = 1 + u^2 v - 4.4 u + alpha N^2 lap(u), v' = 3.4 u - u^2 v + alpha N^2 lap(v),
alpha = 0.1; u(0) = 22 y (1 - y)^1.5, v(0) = 27 x (1 - x)^1.5 at x = i/N, y = j/N (state order: u then v,
each row-major in (i, j)).
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

n, t1, rtol, atol = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
c = 0.1 * n * n
B = 3.4


def lap(w):
    return np.roll(w, 1, 0) + np.roll(w, -1, 0) + np.roll(w, 1, 1) + np.roll(w, -1, 1) - 4 * w


def f(t, y):
    u = y[: n * n].reshape(n, n)
    v = y[n * n :].reshape(n, n)
    uuv = u * u * v
    du = 1 + uuv - (B + 1) * u + c * lap(u)
    dv = B * u - uuv + c * lap(v)
    return np.concatenate([du.ravel(), dv.ravel()])


# sparsity: the 5-point periodic stencil in each species, and the u-v coupling at each point
one = sp.identity(n, format="csr")
shift = sp.csr_matrix(np.roll(np.eye(n), 1, 1))
ring = one + shift + shift.T
stencil = sp.kron(ring, one) + sp.kron(one, ring)
block = (stencil != 0).astype(float)
pattern = sp.bmat([[block, sp.identity(n * n)], [sp.identity(n * n), block]]).tocsc()

x = np.arange(n) / n
X, Y = np.meshgrid(x, x, indexing="ij")
y0 = np.concatenate([(22 * Y * (1 - Y) ** 1.5).ravel(), (27 * X * (1 - X) ** 1.5).ravel()])
start = time.perf_counter()
r = solve_ivp(f, (0, t1), y0, method="BDF", rtol=rtol, atol=atol, jac_sparsity=pattern)
seconds = time.perf_counter() - start
u = r.y[: n * n, -1]
print(json.dumps({"seconds": seconds, "status": int(r.status), "steps": int(r.t.size - 1), "nfev": int(r.nfev),
                  "njev": int(r.njev), "nlu": int(r.nlu), "uSum": float(u.sum()), "uMax": float(u.max())}))
