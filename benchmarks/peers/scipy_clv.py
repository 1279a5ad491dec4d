#!/usr/bin/python3
"""SciPy peer of the CLV benchmarks (issue 4, scripts/bench-clv): the BG/NBD fitted and applied the way
the lifetimes package does it, on the files bench_clv_datagen writes.

The log-likelihood is Fader, Hardie & Lee (2005), "Counting your customers the easy way", eq. 6, and its
gradient follows from it by hand (digammas; w below is the share of the likelihood's second term); both
are written here from the paper, vectorised with numpy and scipy.special. The fit minimises the negative
mean log-likelihood over the logarithms of (r, alpha, a, b) from (1, 1, 1, 1) with
scipy.optimize.minimize, as lifetimes' BetaGeoFitter does: BFGS with the exact gradient (lifetimes gets
it from autograd) and tol 1e-7, or Nelder-Mead (--method nelder-mead; older lifetimes). Predictions are
eq. 13 (P(alive)) and eq. 10 (E[Y(t) | x, t_x, T]) as printed, with scipy.special.hyp2f1, as lifetimes
computes them.

Usage: scipy_clv.py DATA_DIR [--runs N] [--tasks fit_cdnow,fit_generated,predict] [--method bfgs]
Prints one JSON line per task on stdout:
  {"engine": "scipy", "task": "fit_cdnow", "seconds": [...], "cpu_seconds": [...], "params": [...], ...}
"""

import argparse
import json
import pathlib
import sys
import time

import numpy as np
from scipy import optimize, special

HORIZON = 90 / 7  # weeks: expected purchases in the next 90 days (benchmarks/clv_data.h)
TRUTH = (0.243, 4.414, 0.793, 2.426)  # the parameters the generated customers are drawn from


def load(data_dir, name):
    return tuple(np.fromfile(data_dir / f"{name}.{column}.f64", dtype=np.float64) for column in ("x", "tx", "T"))


# ------------------------------------------------------------------------------------ the model

def log_likelihood(theta, x, tx, T, w, gradient=False):
    """Sum of w * ln L(r, alpha, a, b | x, t_x, T) (eq. 6) and, when asked, its gradient in theta."""
    r, alpha, a, b = theta
    repeat = x > 0
    # ln L = C + ln(e^u + [x > 0] e^v): u the customer alive at T, v gone after the last purchase.
    C = (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
         + special.betaln(a, b + x) - special.betaln(a, b))
    u = -(r + x) * np.log(alpha + T)
    v = np.full_like(x, -np.inf)
    xr = x[repeat]
    v[repeat] = np.log(a) - np.log(b + xr - 1) - (r + xr) * np.log(alpha + tx[repeat])
    both = np.logaddexp(u, v)
    total = np.dot(w, C + both)
    if not gradient:
        return total
    share = np.exp(v - both)  # w: the second term's share; 0 without repeats
    keep = 1 - share
    log_at = np.log(alpha + T)
    log_atx = np.where(repeat, np.log(alpha + tx), 0.0)
    d_r = special.digamma(r + x) - special.digamma(r) + np.log(alpha) - keep * log_at - share * log_atx
    d_alpha = r / alpha - (r + x) * (keep / (alpha + T) + share / (alpha + tx))
    d_a = special.digamma(a + b) - special.digamma(a + b + x) + share / a
    d_b = (special.digamma(b + x) - special.digamma(a + b + x) - special.digamma(b) + special.digamma(a + b)
           - np.where(repeat, share / np.where(repeat, b + x - 1, 1), 0.0))
    return total, np.array([np.dot(w, d_r), np.dot(w, d_alpha), np.dot(w, d_a), np.dot(w, d_b)])


def fit(x, tx, T, w, method):
    n = w.sum()

    def objective(log_theta):
        theta = np.exp(log_theta)
        if method == "nelder-mead":
            return -log_likelihood(theta, x, tx, T, w) / n
        ll, g = log_likelihood(theta, x, tx, T, w, gradient=True)
        return -ll / n, -g * theta / n  # chain rule: d/d ln(theta) = theta d/d theta

    if method == "nelder-mead":
        result = optimize.minimize(objective, np.zeros(4), method="Nelder-Mead",
                                   options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 20000, "maxfev": 20000})
    else:
        result = optimize.minimize(objective, np.zeros(4), jac=True, method="BFGS", tol=1e-7)
    theta = np.exp(result.x)
    return theta, log_likelihood(theta, x, tx, T, w), int(result.nfev), bool(result.success)


def p_alive(theta, x, tx, T):
    """Eq. 13."""
    r, alpha, a, b = theta
    log_odds = np.log(a / (b + np.maximum(x, 1) - 1)) + (r + x) * np.log((alpha + T) / (alpha + tx))
    return np.where(x > 0, 1 / (1 + np.exp(log_odds)), 1.0)


def conditional_expected(theta, t, x, tx, T):
    """Eq. 10 as printed (with its 2F1), as lifetimes' conditional_expected_number_of_purchases_up_to_time."""
    r, alpha, a, b = theta
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * bracket * p_alive(theta, x, tx, T)


# ------------------------------------------------------------------------------------ tasks

def timed(runs, fn):
    seconds, cpu, result = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return seconds, cpu, result


def fit_task(task, x, tx, T, runs, method, compress):
    def run():
        if compress:  # lifetimes leaves this to the caller: distinct rows with their counts as weights
            rows, counts = np.unique(np.stack([x, tx, T], axis=1), axis=0, return_counts=True)
            return fit(rows[:, 0], rows[:, 1], rows[:, 2], counts.astype(np.float64), method)
        return fit(x, tx, T, np.ones_like(x), method)

    seconds, cpu, (theta, ll, evaluations, success) = timed(runs, run)
    return {"engine": "scipy", "task": task, "method": method, "customers": len(x), "seconds": seconds,
            "cpu_seconds": cpu, "params": theta.tolist(), "log_likelihood": ll, "evaluations": evaluations,
            "converged": success}


def predict_task(x, tx, T, runs):
    out = {"engine": "scipy", "task": "predict", "customers": len(x), "horizon": HORIZON}
    seconds, cpu, alive = timed(runs, lambda: p_alive(TRUTH, x, tx, T))
    out["p_alive_seconds"], out["p_alive_cpu_seconds"] = seconds, cpu
    seconds, cpu, expected = timed(runs, lambda: conditional_expected(TRUTH, HORIZON, x, tx, T))
    out["expected_seconds"], out["expected_cpu_seconds"] = seconds, cpu
    out["seconds"] = [p + e for p, e in zip(out["p_alive_seconds"], out["expected_seconds"])]
    out["cpu_seconds"] = [p + e for p, e in zip(out["p_alive_cpu_seconds"], out["expected_cpu_seconds"])]
    finite = np.isfinite(expected)
    out["sum_p_alive"] = float(alive.sum())
    out["sum_expected"] = float(expected[finite].sum())
    out["not_finite"] = int((~finite).sum())
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks", default="fit_cdnow,fit_generated,fit_generated_compressed,predict")
    parser.add_argument("--method", choices=["bfgs", "nelder-mead"], default="bfgs")
    args = parser.parse_args()
    np.seterr(all="ignore")  # overflow in the printed eq. 10 for large x is counted, not warned about
    for task in args.tasks.split(","):
        if task == "fit_cdnow":
            result = fit_task(task, *load(args.data_dir, "cdnow"), args.runs, args.method, compress=False)
        elif task == "fit_cdnow_nelder_mead":
            result = fit_task(task, *load(args.data_dir, "cdnow"), args.runs, "nelder-mead", compress=False)
        elif task == "fit_generated":
            result = fit_task(task, *load(args.data_dir, "generated"), args.runs, args.method, compress=False)
        elif task == "fit_generated_compressed":
            result = fit_task(task, *load(args.data_dir, "generated"), args.runs, args.method, compress=True)
        elif task == "predict":
            result = predict_task(*load(args.data_dir, "predict"), args.runs)
        else:
            sys.exit(f"scipy_clv.py: unknown task {task}")
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
