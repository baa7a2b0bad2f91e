"""SciPy's solve_ivp (RK45, i.e. Dormand-Prince 5(4)) on the seed problem's 6-equation variational system.

y' = [[0, 1], [-k, 0]] y together with Phi' = M Phi, y0 = [1, 1], Phi(0) = I, t in [0, 2 pi], first step 0.1,
rtol = atol = 1e-12. SciPy's error norm is the RMS over all six components (odeforge's default controls the
state only), so its step count differs; the benchmark reports it next to the time.

Usage: python3 seed_scipy.py REPS -- prints one JSON line with the seconds per solve measured inside Python
(import and start-up not counted), the accepted steps, the rhs evaluations, the final state and Phi (row-major).
"""

import json
import math
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

K = 20.0


def rhs(_t, y):
    return np.array([y[1], -K * y[0], y[4], y[5], -K * y[2], -K * y[3]])


def solve():
    y0 = [1.0, 1.0, 1.0, 0.0, 0.0, 1.0]
    return solve_ivp(rhs, (0.0, 2 * math.pi), y0, method="RK45", rtol=1e-12, atol=1e-12, first_step=0.1)


def main():
    reps = max(1, int(sys.argv[1])) if len(sys.argv) > 1 else 3
    sol = solve()  # warm-up, not timed
    start = time.perf_counter()
    for _ in range(reps):
        sol = solve()
    per_solve = (time.perf_counter() - start) / reps
    y = sol.y[:, -1]
    print(json.dumps({
        "nsPerSolve": per_solve * 1e9,
        "steps": len(sol.t) - 1,
        "nfev": sol.nfev,
        "y": [y[0], y[1]],
        "jacobian": [y[2], y[3], y[4], y[5]],
    }))


if __name__ == "__main__":
    main()
