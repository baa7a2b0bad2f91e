"""The Python contenders of the stiff section (bench/stiff.ts): SciPy's solve_ivp (Radau, BDF) on the variational
system and CasADi's CVODES with forward sensitivities, on Robertson and the 1-D Brusselator (BRUSS, N = 50).

Usage: python3 stiff_python.py PROBLEM RTOL ATOL CONTENDER:REPS [CONTENDER:REPS ...]
       python3 stiff_python.py probe     (prints {"scipy": version | null, "casadi": version | null})
  PROBLEM:   robertson | bruss (the same systems as bench/stiff-models.ts).
  CONTENDER: scipy-radau | scipy-bdf: solve_ivp on state + S' = J S + df/dp, S = dy/dp, with the analytic Jacobian
             of that variational system (dense 12x12 for Robertson, scipy.sparse 300x300 for BRUSS);
             casadi-fsens: the forward-sensitivity integrator CasADi builds for d xf / d p, called directly: one
             CVODES integration of the state and its p directions together;
             casadi-jac: the public route, F.factory(..., ['xf', 'jac:xf:p']): the nominal integrator and the
             forward-sensitivity one, i.e. two CVODES integrations per call (statistics summed; nominalSteps: the
             first one's steps).
  REPS:      timed solves after one untimed warm-up solve (0: the warm-up only, for the statistics and values).
The contenders of one call are set up first, then each is warmed up and timed in turn. Prints one JSON line,
{"results": [...]}, one entry per contender: nanoseconds per solve (nsPerSolve, measured inside Python: start-up,
imports, model set-up and the warm-up not counted), the statistics it reports, the final state y and dy/dp
(n x p, row-major).
"""

import json
import math
import sys
import time

import numpy as np

# ─── Problems ───────────────────────────────────────────────────────────────────────────────────────────────

ROBERTSON = {"params": [0.04, 1e4, 3e7], "y0": [1.0, 0.0, 0.0], "t1": 4e10}
BRUSS_N = 50
BRUSS = {"params": [1.0, 3.0], "alpha": 1.0 / 50.0, "t1": 10.0}


def bruss_y0():
    x = np.arange(1, BRUSS_N + 1) / (BRUSS_N + 1)
    return np.concatenate([1.0 + np.sin(2 * math.pi * x), np.full(BRUSS_N, 3.0)])


def problem(name):
    """n, p, y0, t1, params, rhs(y, pv) -> f, jac(y, pv) -> J, jvp(y, pv, S) -> J S, fp(y, pv) -> n x p,
    second(y, pv, S) -> [d(J s_j + fp_j)/dy for each j], and whether J is a scipy.sparse matrix."""
    if name == "robertson":
        def rhs(y, p):
            k1, k2, k3 = p
            return np.array([
                -k1 * y[0] + k2 * y[1] * y[2],
                k1 * y[0] - k2 * y[1] * y[2] - k3 * y[1] ** 2,
                k3 * y[1] ** 2,
            ])

        def jac(y, p):
            k1, k2, k3 = p
            return np.array([
                [-k1, k2 * y[2], k2 * y[1]],
                [k1, -k2 * y[2] - 2 * k3 * y[1], -k2 * y[1]],
                [0.0, 2 * k3 * y[1], 0.0],
            ])

        def fp(y, _p):
            return np.array([
                [-y[0], y[1] * y[2], 0.0],
                [y[0], -y[1] * y[2], -y[1] ** 2],
                [0.0, 0.0, y[1] ** 2],
            ])

        def jvp(y, p, S):
            return jac(y, p) @ S

        def second(y, p, S):
            _, k2, k3 = p
            blocks = []
            for j in range(3):
                s = S[:, j]
                # d(J s)/dy: J's entries depend on y2 (k2 y2 terms, 2 k3 y2) and y3 (k2 y3 terms).
                B = np.array([
                    [0.0, k2 * s[2], k2 * s[1]],
                    [0.0, -k2 * s[2] - 2 * k3 * s[1], -k2 * s[1]],
                    [0.0, 2 * k3 * s[1], 0.0],
                ])
                # d fp_j / dy
                if j == 0:
                    B += np.array([[-1.0, 0, 0], [1.0, 0, 0], [0, 0, 0]])
                elif j == 1:
                    B += np.array([[0, y[2], y[1]], [0, -y[2], -y[1]], [0, 0, 0]])
                else:
                    B += np.array([[0, 0, 0], [0, -2 * y[1], 0], [0, 2 * y[1], 0]])
                blocks.append(B)
            return blocks

        return 3, 3, np.array(ROBERTSON["y0"]), ROBERTSON["t1"], ROBERTSON["params"], rhs, jac, jvp, fp, second, False

    if name == "bruss":
        n2 = BRUSS_N
        c = BRUSS["alpha"] * (n2 + 1) ** 2
        lap = []  # the sparse second-difference matrix, built on first use (CasADi's runs never import scipy)

        def diffusion(w, boundary):
            # c (w_{i-1} - 2 w_i + w_{i+1}), the boundary value outside (0 for a sensitivity)
            out = -2 * c * w
            out[1:] += c * w[:-1]
            out[:-1] += c * w[1:]
            out[0] += c * boundary
            out[-1] += c * boundary
            return out

        def rhs(y, p):
            a, b = p
            u, v = y[:n2], y[n2:]
            u2v = u * u * v
            return np.concatenate([a + u2v - (b + 1) * u + diffusion(u, 1.0), b * u - u2v + diffusion(v, 3.0)])

        def jvp(y, p, S):
            """J S without forming J: column by column."""
            _, b = p
            u, v = y[:n2], y[n2:]
            uv2, uu = 2 * u * v, u * u
            out = np.empty_like(S)
            for j in range(S.shape[1]):
                su, sv = S[:n2, j], S[n2:, j]
                out[:n2, j] = (uv2 - (b + 1)) * su + uu * sv + diffusion(su, 0.0)
                out[n2:, j] = (b - uv2) * su - uu * sv + diffusion(sv, 0.0)
            return out

        def jac(y, p):
            import scipy.sparse as sp

            if not lap:
                lap.append(sp.diags([np.full(n2 - 1, c), np.full(n2, -2 * c), np.full(n2 - 1, c)], [-1, 0, 1]))
            _, b = p
            u, v = y[:n2], y[n2:]
            return sp.bmat([
                [lap[0] + sp.diags(2 * u * v - (b + 1)), sp.diags(u * u)],
                [sp.diags(b - 2 * u * v), lap[0] - sp.diags(u * u)],
            ], format="csc")

        def fp(y, _p):
            u = y[:n2]
            return np.column_stack([np.concatenate([np.ones(n2), np.zeros(n2)]), np.concatenate([-u, u])])

        def second(y, _p, S):
            import scipy.sparse as sp

            u, v = y[:n2], y[n2:]
            blocks = []
            for j in range(2):
                su, sv = S[:n2, j], S[n2:, j]
                duu = 2 * v * su + 2 * u * sv
                dvv = 2 * u * su
                if j == 1:  # d fp_B / du: -1 in the u rows, +1 in the v rows
                    top, bottom = duu - 1, -duu + 1
                else:
                    top, bottom = duu, -duu
                blocks.append(sp.bmat([
                    [sp.diags(top), sp.diags(dvv)],
                    [sp.diags(bottom), sp.diags(-dvv)],
                ], format="csc"))
            return blocks

        return 2 * n2, 2, bruss_y0(), BRUSS["t1"], BRUSS["params"], rhs, jac, jvp, fp, second, True

    raise SystemExit(f"unknown problem {name}")


# ─── SciPy: the variational system, z = [y, s_1, ..., s_p] (columns of S stacked) ──────────────────────────


def scipy_solver(name, method, rtol, atol):
    from scipy.integrate import solve_ivp

    n, p, y0, t1, params, rhs, jac, jvp, fp, second, sparse = problem(name)
    pv = np.array(params)
    z0 = np.concatenate([y0, np.zeros(n * p)])

    def f(_t, z):
        y = z[:n]
        S = z[n:].reshape(p, n).T
        return np.concatenate([rhs(y, pv), (jvp(y, pv, S) + fp(y, pv)).T.ravel()])

    if sparse:
        import scipy.sparse as sp

        def jvar(_t, z):
            y = z[:n]
            S = z[n:].reshape(p, n).T
            J = jac(y, pv)
            B = second(y, pv, S)
            rows = [[J] + [None] * p]
            for j in range(p):
                rows.append([B[j]] + [J if k == j else None for k in range(p)])
            return sp.bmat(rows, format="csc")
    else:
        def jvar(_t, z):
            y = z[:n]
            S = z[n:].reshape(p, n).T
            J = jac(y, pv)
            B = second(y, pv, S)
            out = np.zeros((n * (p + 1), n * (p + 1)))
            out[:n, :n] = J
            for j in range(p):
                r = n * (j + 1)
                out[r:r + n, :n] = B[j]
                out[r:r + n, r:r + n] = J
            return out

    def solve():
        sol = solve_ivp(f, (0.0, t1), z0, method=method, jac=jvar, rtol=rtol, atol=atol)
        if sol.status != 0:
            raise SystemExit(f"solve_ivp {method} failed: {sol.message}")
        z = sol.y[:, -1]
        return z, {"steps": len(sol.t) - 1, "nfev": int(sol.nfev), "njev": int(sol.njev), "nlu": int(sol.nlu)}

    def result(z):
        return z[:n], z[n:].reshape(p, n).T.ravel()  # S row-major n x p

    return solve, result


# ─── CasADi: CVODES (BDF) with forward sensitivities ─────────────────────────────────────────────────────────


def casadi_solver(name, route, rtol, atol):
    import casadi as ca

    n, p, y0, t1, params, *_ = problem(name)
    x = ca.SX.sym("x", n)
    k = ca.SX.sym("p", p)
    if name == "robertson":
        ode = ca.vertcat(
            -k[0] * x[0] + k[1] * x[1] * x[2],
            k[0] * x[0] - k[1] * x[1] * x[2] - k[2] * x[1] ** 2,
            k[2] * x[1] ** 2,
        )
    else:
        n2 = BRUSS_N
        c = BRUSS["alpha"] * (n2 + 1) ** 2
        u = [x[i] for i in range(n2)]
        v = [x[n2 + i] for i in range(n2)]
        fu, fv = [], []
        for i in range(n2):
            ul, ur = (u[i - 1] if i > 0 else 1.0), (u[i + 1] if i < n2 - 1 else 1.0)
            vl, vr = (v[i - 1] if i > 0 else 3.0), (v[i + 1] if i < n2 - 1 else 3.0)
            fu.append(k[0] + u[i] ** 2 * v[i] - (k[1] + 1) * u[i] + c * (ul - 2 * u[i] + ur))
            fv.append(k[1] * u[i] - u[i] ** 2 * v[i] + c * (vl - 2 * v[i] + vr))
        ode = ca.vertcat(*fu, *fv)
    opts = {"abstol": atol, "reltol": rtol, "max_num_steps": 10_000_000, "disable_internal_warnings": True}
    F = ca.integrator("F", "cvodes", {"x": x, "p": k, "ode": ode}, 0.0, t1, opts)
    # CasADi differentiates an integrator by building another one on the state augmented with p forward
    # directions (Integrator::get_forward_dae, "fsens<p>_F"), which CVODES integrates as one ODE whose linear
    # solves reuse the n x n factorization (CvodesInterface::psolveF). jac:xf:p calls F and that integrator.
    G = F.factory("G", ["x0", "p"], ["xf", "jac:xf:p"])
    fsens = next((g for g in G.find_functions() if g.class_name() == "CvodesInterface" and g.name() != "F"), None)
    if fsens is None:
        raise SystemExit("CasADi: no forward-sensitivity integrator found under jac:xf:p")
    x0m = np.zeros((n, p + 1))
    x0m[:, 0] = y0
    pm = np.zeros((p, p + 1))
    pm[:, 0] = params
    pm[:, 1:] = np.eye(p)

    def stats_of(fn):
        for mem in range(4):
            try:
                s = fn.stats(mem)
            except RuntimeError:
                continue
            if "nsteps" in s:
                return s
        return {}

    def pick(s):
        return {
            "steps": int(s.get("nsteps", -1)),
            "rejected": int(s.get("netfails", 0)) + int(s.get("nncfails", 0)),
            "nfev": int(s.get("nfevals", -1)),
            "njev": int(s.get("n_call_jacF", -1)),
            "nlu": int(s.get("nlinsetups", -1)),
            "newton": int(s.get("nniters", -1)),
            # Products J v for the sensitivity directions: CVODES's second-order correction of the linear solves.
            "jtimes": int(s.get("n_call_jtimesF", 0)),
        }

    if route == "fsens":
        def solve():
            out = np.array(fsens.call({"x0": x0m, "p": pm})["xf"])
            return out, pick(stats_of(fsens))

        def result(out):
            return out[:, 0], out[:, 1:].ravel()
    else:
        def solve():
            r = G(x0=y0, p=params)
            s1, s2 = pick(stats_of(F)), pick(stats_of(fsens))
            stats = {key: s1[key] + s2[key] for key in s1}  # both integrations together
            stats["nominalSteps"] = s1["steps"]
            return (np.array(r["xf"]).ravel(), np.array(r["jac_xf_p"])), stats

        def result(out):
            return out[0], out[1].ravel()

    return solve, result


def make(contender, name, rtol, atol):
    if contender in ("scipy-radau", "scipy-bdf"):
        return scipy_solver(name, {"scipy-radau": "Radau", "scipy-bdf": "BDF"}[contender], rtol, atol)
    if contender in ("casadi-fsens", "casadi-jac"):
        return casadi_solver(name, contender[len("casadi-"):], rtol, atol)
    raise SystemExit(f"unknown contender {contender}")


def main():
    if sys.argv[1] == "probe":
        versions = {}
        for mod in ("scipy", "casadi"):
            try:
                versions[mod] = __import__(mod).__version__
            except Exception:  # noqa: BLE001 - any failure to import means "not available"
                versions[mod] = None
        print(json.dumps(versions))
        return
    name = sys.argv[1]
    rtol, atol = float(sys.argv[2]), float(sys.argv[3])
    jobs = [(c, int(r)) for c, r in (arg.split(":") for arg in sys.argv[4:])]
    solvers = [make(c, name, rtol, atol) for c, _ in jobs]
    results = []
    for (contender, reps), (solve, result) in zip(jobs, solvers):
        out, stats = solve()  # warm-up, not timed
        start = time.perf_counter()
        for _ in range(reps):
            out, stats = solve()
        per_solve = (time.perf_counter() - start) / reps if reps > 0 else None
        y, S = result(out)
        results.append({
            "contender": contender,
            "nsPerSolve": per_solve * 1e9 if per_solve is not None else None,
            **stats,
            "y": [float(v) for v in y],
            "paramJacobian": [float(v) for v in S],
        })
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
