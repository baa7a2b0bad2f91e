"""The Python side of the equal-accuracy contenders (bench/contenders.ts): CasADi's CVODES with forward
sensitivities and SciPy's solve_ivp on the variational system, on the seed problem and Lorenz-96; and the code
generation of the CasADi RK4 contender, whose C is timed by bench/reference/casadi_rk4_driver.c.

Usage:
  python3 contenders_python.py codegen PROBLEM DIR
      CasADi RK4 + forward-mode AD, generated to C: writes DIR/rk4aug.c, DIR/rk4aug.h (CasADi's CodeGenerator)
      and DIR/problem.h (N, T1, Y0); prints {"directions": k, "seconds": time to build and generate}
  python3 contenders_python.py tune PROBLEM REF_JSON TARGET TOLS CONTENDER [CONTENDER ...]
      for each contender, rtol = atol = each of TOLS (comma-separated, loosest first) until the Jacobian's max
      abs error against REF_JSON's "jacobian" (row-major) is <= TARGET; prints {"results": [{"contender", "tried":
      [{"tol", "error", "seconds"}], "tol": the chosen one or null}]}
  python3 contenders_python.py time PROBLEM CONTENDER:TOL:REPS [...]
      each contender set up, warmed up (one untimed solve) and timed over REPS solves (0: the warm-up only);
      prints {"results": [{"contender", "nsPerSolve", "steps", "nfev", "y", "jacobian"}]} (jacobian row-major)
  PROBLEM:    seed (y' = [[0, 1], [-20, 0]] y, y0 = (1, 1), t in [0, 2 pi]) | l96:N (Lorenz-96, F = 8,
              y0_i = F + sin(i + 1), t in [0, 0.5]), as bench/seed.ts and bench/models.ts.
  CONTENDER:  cvodes-adams | cvodes-bdf: CasADi's integrator 'cvodes' (Adams-Moulton with functional iteration,
              the usual setting for non-stiff problems: Cohen and Hindmarsh, "CVODE, a stiff/nonstiff ODE solver in
              C", Computers in Physics 10(2), 1996, recommend Adams for non-stiff and BDF for stiff systems; or BDF
              with Newton, CasADi's default) and
              the forward-sensitivity integrator CasADi builds for jac:xf:x0, called directly: one CVODES
              integration of the state and its n directions together, all in the error test;
              scipy-dop853 | scipy-rk45 | scipy-lsoda: solve_ivp on y and Phi' = J Phi (Phi = dy/dy0, n + n^2
              equations), the right-hand side vectorised in numpy with the analytic J.
Times are measured inside Python with time.perf_counter (start-up, imports and set-up not counted).
"""

import json
import math
import sys
import time

import numpy as np

SEED_K = 20.0
L96_F = 8.0
L96_T1 = 0.5


def problem(name):
    """n, y0, t1, f(x) on numpy arrays, jphi(x, Phi) = J(x) Phi (Phi n x n, row i = d x_i / d y0), and
    casadi_f(x) on a CasADi SX vector."""
    if name == "seed":
        def f(x):
            return np.array([x[1], -SEED_K * x[0]])

        def jphi(_x, phi):
            return np.stack([phi[1], -SEED_K * phi[0]])

        def casadi_f(x):
            import casadi as ca

            return ca.vertcat(x[1], -SEED_K * x[0])

        return 2, np.array([1.0, 1.0]), 2 * math.pi, f, jphi, casadi_f
    if name.startswith("l96:"):
        n = int(name[4:])
        i = np.arange(n)
        ip, im, im2 = (i + 1) % n, (i - 1) % n, (i - 2) % n

        def f(x):
            return (x[ip] - x[im2]) * x[im] - x + L96_F

        def jphi(x, phi):
            # Row i of J: x_{i-1} at i+1, -x_{i-1} at i-2, x_{i+1} - x_{i-2} at i-1, -1 at i.
            a, b = x[im], x[ip] - x[im2]
            return a[:, None] * (phi[ip] - phi[im2]) + b[:, None] * phi[im] - phi

        def casadi_f(x):
            import casadi as ca

            return ca.vertcat(*[(x[(k + 1) % n] - x[(k - 2) % n]) * x[(k - 1) % n] - x[k] + L96_F for k in range(n)])

        return n, L96_F + np.sin(i + 1.0), L96_T1, f, jphi, casadi_f
    raise SystemExit(f"unknown problem {name}")


# ─── SciPy: solve_ivp on z = [y, Phi row-major] ──────────────────────────────────────────────────────────────


def scipy_solver(name, method, tol):
    from scipy.integrate import solve_ivp

    n, y0, t1, f, jphi, _ = problem(name)
    z0 = np.concatenate([y0, np.eye(n).ravel()])

    def rhs(_t, z):
        x = z[:n]
        return np.concatenate([f(x), jphi(x, z[n:].reshape(n, n)).ravel()])

    def solve():
        sol = solve_ivp(rhs, (0.0, t1), z0, method=method, rtol=tol, atol=tol)
        if sol.status != 0:
            raise SystemExit(f"solve_ivp {method} failed: {sol.message}")
        z = sol.y[:, -1]
        return z[:n], z[n:], {"steps": len(sol.t) - 1, "nfev": int(sol.nfev)}

    return solve


# ─── CasADi: CVODES with forward sensitivities ───────────────────────────────────────────────────────────────


def cvodes_solver(name, lmm, tol):
    import casadi as ca

    n, y0, t1, _, _, casadi_f = problem(name)
    x = ca.SX.sym("x", n)
    opts = {
        "abstol": tol,
        "reltol": tol,
        "max_num_steps": 10_000_000,
        "disable_internal_warnings": True,
        # All n directions in one sensitivity integration (CasADi's default splits them in batches of 64).
        "max_num_dir": max(64, n),
    }
    if lmm == "adams":
        opts.update({"linear_multistep_method": "adams", "nonlinear_solver_iteration": "functional"})
    F = ca.integrator("F", "cvodes", {"x": x, "ode": casadi_f(x)}, 0.0, t1, opts)
    # jac:xf:x0 calls F and the forward-sensitivity integrator CasADi derives from it (Integrator::get_forward,
    # "fsens<n>_F": the state augmented with n forward directions, integrated as one ODE). That one alone gives
    # the state and the Jacobian, so it is called directly (as casadi-fsens in stiff_python.py).
    G = F.factory("G", ["x0"], ["xf", "jac:xf:x0"])
    fsens = next((g for g in G.find_functions() if g.class_name() == "CvodesInterface" and g.name() != "F"), None)
    if fsens is None:
        raise SystemExit("CasADi: no forward-sensitivity integrator found under jac:xf:x0")
    x0m = np.zeros((n, n + 1))
    x0m[:, 0] = y0
    x0m[:, 1:] = np.eye(n)

    def stats():
        for mem in range(4):
            try:
                s = fsens.stats(mem)
            except RuntimeError:
                continue
            if "nsteps" in s:
                return {"steps": int(s["nsteps"]), "nfev": int(s.get("nfevals", -1))}
        return {"steps": -1, "nfev": -1}

    def solve():
        out = np.array(fsens.call({"x0": x0m})["xf"])
        return out[:, 0], out[:, 1:].ravel(), stats()

    return solve


def make(contender, name, tol):
    if contender in ("cvodes-adams", "cvodes-bdf"):
        return cvodes_solver(name, contender[len("cvodes-"):], tol)
    methods = {"scipy-dop853": "DOP853", "scipy-rk45": "RK45", "scipy-lsoda": "LSODA"}
    if contender in methods:
        return scipy_solver(name, methods[contender], tol)
    raise SystemExit(f"unknown contender {contender}")


# ─── CasADi RK4 + forward-mode AD, generated to C ────────────────────────────────────────────────────────────


def codegen(name, out_dir):
    """One RK4 step x -> x + h/6 (k1 + 2 k2 + 2 k3 + k4) built in SX, and its forward-mode derivative along k
    columns of Phi at once (ca.jtimes on the SX expression: CasADi's forward mode with k directions), as an SX
    function mapped over the n/k groups of columns (Function.map: a loop in the generated C). k is the largest
    divisor of n up to 10: all n = 100 directions in one SX function is 7.4 MB of C that gcc -O3 took about
    4 minutes over on the 2-core machine, and it ran no faster in an alternating check (2026-12-06); batches
    through Function.forward(k) ran about 1.4x slower than these."""
    import casadi as ca

    start = time.perf_counter()
    n, y0, t1, _, _, casadi_f = problem(name)
    x = ca.SX.sym("x", n)
    h = ca.SX.sym("h")
    k1 = casadi_f(x)
    k2 = casadi_f(x + h / 2 * k1)
    k3 = casadi_f(x + h / 2 * k2)
    k4 = casadi_f(x + h * k3)
    x_next = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    k = max(d for d in range(1, min(n, 10) + 1) if n % d == 0)
    seeds = ca.SX.sym("seeds", n, k)
    step = ca.Function("step", [x, h], [x_next])
    dstep = ca.Function("dstep", [x, seeds, h], [ca.jtimes(x_next, x, seeds)])
    X = ca.MX.sym("x", n)
    P = ca.MX.sym("phi", n, n)
    H = ca.MX.sym("h")
    # map(n / k): P's n columns in n/k blocks of k, x and h passed whole to every call.
    aug = ca.Function("rk4aug", [X, P, H], [step(X, H), dstep.map(n // k)(X, P, H)])
    cg = ca.CodeGenerator("rk4aug.c", {"with_header": True})
    cg.add(aug)
    cg.generate(out_dir.rstrip("/") + "/")
    with open(out_dir.rstrip("/") + "/problem.h", "w") as fh:
        fh.write(f"#define N {n}\nstatic const double T1 = {t1!r};\n")
        fh.write("static const double Y0[N] = {" + ", ".join(repr(float(v)) for v in y0) + "};\n")
    return {"directions": k, "seconds": time.perf_counter() - start}


# ─── Modes ───────────────────────────────────────────────────────────────────────────────────────────────────


def run(solve, reps):
    y, jac, stats = solve()  # warm-up, not timed
    start = time.perf_counter()
    for _ in range(reps):
        y, jac, stats = solve()
    per_solve = (time.perf_counter() - start) / reps if reps > 0 else None
    return per_solve, y, jac, stats


def main():
    mode = sys.argv[1]
    # (the versions of SciPy and CasADi: stiff_python.py probe, through bench/stiff.ts)
    name = sys.argv[2]
    if mode == "codegen":
        print(json.dumps(codegen(name, sys.argv[3])))
        return
    if mode == "tune":
        with open(sys.argv[3]) as fh:
            ref = np.array(json.load(fh)["jacobian"])
        target = float(sys.argv[4])
        tols = [float(t) for t in sys.argv[5].split(",")]
        results = []
        for contender in sys.argv[6:]:
            tried, chosen = [], None
            for tol in tols:
                start = time.perf_counter()
                _, _, jac, _ = run(make(contender, name, tol), 0)
                error = float(np.max(np.abs(jac - ref)))
                tried.append({"tol": tol, "error": error, "seconds": time.perf_counter() - start})
                if error <= target:
                    chosen = tol
                    break
            results.append({"contender": contender, "tried": tried, "tol": chosen})
        print(json.dumps({"results": results}))
        return
    if mode == "time":
        results = []
        for job in sys.argv[3:]:
            contender, tol, reps = job.split(":")
            per_solve, y, jac, stats = run(make(contender, name, float(tol)), int(reps))
            results.append({
                "contender": contender,
                "nsPerSolve": per_solve * 1e9 if per_solve is not None else None,
                **stats,
                "y": [float(v) for v in y],
                "jacobian": [float(v) for v in jac],
            })
        print(json.dumps({"results": results}))
        return
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
