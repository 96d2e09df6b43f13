"""Benchmark poolkit's public pooling functions against PyTorch's CPU kernels.

Run ``python benchmarks/bench_pooling.py`` (one to three minutes; ``--quick`` for
a subset in a few seconds; ``--bounds`` for numpy's lower bounds on max backward;
``--help`` for the options).

For every workload and operation the script

1. builds the same float32 NCHW array for both libraries (fixed seed),
2. checks that poolkit's result equals PyTorch's (values, indices, gradients),
3. times both, interleaved, and reports the median of many repeats,
4. prints the ratio poolkit / PyTorch and the ratio of poolkit's time to a
   memory-traffic floor: the bytes the operation must read and write, divided
   by the bandwidth of a large ``np.copyto`` measured in the same run.

PyTorch runs with ``torch.set_num_threads(2)``; poolkit runs single-threaded
(numpy's element-wise loops do not use threads). Timings on a shared machine
are noisy: compare the ratios, not the absolute times.
"""

import argparse
import os
import sys
import time

import numpy as np

import poolkit as pk

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

# name: (shape N, C, H, W, kernel, stride, padding); "gap" is global pooling.
WORKLOADS = {
    "vgg": ((32, 64, 112, 112), 2, 2, 0),
    "stem": ((32, 64, 112, 112), 3, 2, 1),
    "mid": ((8, 256, 56, 56), 2, 2, 0),
    "one": ((1, 3, 224, 224), 2, 2, 0),
    "mnist": ((128, 16, 28, 28), 2, 2, 0),
    "gap": ((32, 512, 7, 7), None, None, None),
}
QUICK = ("mid", "one", "mnist", "gap")
WINDOW_OPS = ("max", "max+idx", "max bwd", "avg", "avg bwd")
GLOBAL_OPS = ("gmax", "gmax bwd", "gavg", "gavg bwd")
FORWARD = ("max", "max+idx", "avg")


# --- poolkit side: the public API -------------------------------------------------------

def _pk_window_ops(x, k, s, p):
    """Closures calling poolkit's public functions, plus their results for the checks."""
    out_max, idx = pk.max_pool2d(x, k, stride=s, padding=p, return_indices=True)
    g = _grad_like(out_max)
    ops = {
        "max": lambda: pk.max_pool2d(x, k, stride=s, padding=p),
        "max+idx": lambda: pk.max_pool2d(x, k, stride=s, padding=p, return_indices=True),
        "max bwd": lambda: pk.max_pool2d_backward(g, x, k, stride=s, padding=p, indices=idx),
        "avg": lambda: pk.avg_pool2d(x, k, stride=s, padding=p),
        "avg bwd": lambda: pk.avg_pool2d_backward(g, x, k, stride=s, padding=p),
    }
    return ops, g


def _pk_global_ops(x):
    N, C = x.shape[:2]
    g = _grad_like(np.empty((N, C), x.dtype))
    # like PyTorch's kernel, reuse the forward's indices
    _, idx = pk.global_max_pool2d(x, return_indices=True)
    gmax_bwd = lambda: pk.global_max_pool2d_backward(g, x, indices=idx)
    ops = {
        "gmax": lambda: pk.global_max_pool2d(x),
        "gmax bwd": gmax_bwd,
        "gavg": lambda: pk.global_avg_pool2d(x),
        "gavg bwd": lambda: pk.global_avg_pool2d_backward(g, x),
    }
    return ops, g


def _grad_like(a):
    rng = np.random.default_rng(1)
    return rng.standard_normal(a.shape, dtype=np.float32)


# --- PyTorch side -----------------------------------------------------------------------

def _torch_window_ops(x, g, k, s, p):
    xt, gt = torch.from_numpy(x), torch.from_numpy(g)
    _, it = F.max_pool2d(xt, k, s, p, return_indices=True)
    kk, ss, pp = (k, k), (s, s), (p, p)
    return {
        "max": lambda: F.max_pool2d(xt, k, s, p),
        "max+idx": lambda: F.max_pool2d(xt, k, s, p, return_indices=True),
        "max bwd": lambda: torch.ops.aten.max_pool2d_with_indices_backward(
            gt, xt, kk, ss, pp, (1, 1), False, it),
        "avg": lambda: F.avg_pool2d(xt, k, s, p),
        "avg bwd": lambda: torch.ops.aten.avg_pool2d_backward(
            gt, xt, kk, ss, pp, False, True, None),
    }


def _torch_global_ops(x, g):
    xt = torch.from_numpy(x)
    gt = torch.from_numpy(g)[:, :, None, None]
    _, it = F.adaptive_max_pool2d(xt, 1, return_indices=True)
    return {
        "gmax": lambda: F.adaptive_max_pool2d(xt, 1),
        "gmax bwd": lambda: torch.ops.aten.adaptive_max_pool2d_backward(gt, xt, it),
        "gavg": lambda: F.adaptive_avg_pool2d(xt, 1),
        "gavg bwd": lambda: torch.ops.aten._adaptive_avg_pool2d_backward(gt, xt),
    }


def _np(a):
    """PyTorch result(s) as numpy, global outputs squeezed to (N, C)."""
    if isinstance(a, tuple):
        return tuple(_np(t) for t in a)
    a = a.detach().numpy()
    return a


# --- checks -----------------------------------------------------------------------------

def _check(op, ours, theirs, scale):
    """Return a short verdict; raise if poolkit disagrees with PyTorch.

    ``scale`` bounds the magnitude of the inputs, for the rounding tolerance of sums.
    """
    if op in ("max+idx",):
        (o, i), (to, ti) = ours, _np(theirs)
        _same(op, o, to)
        _same(op + " indices", i, ti)
        return "exact"
    theirs = _np(theirs)
    if op in ("gmax", "gavg"):
        theirs = theirs.reshape(ours.shape)
    if isinstance(ours, tuple):
        ours = ours[0]
    if op in ("avg", "gavg", "gavg bwd"):
        # Sums taken in another order (poolkit: separable window sums; PyTorch's mean: a
        # vectorised cascade) and PyTorch's adaptive-average backward dividing by kh and then
        # by kw: the last bits may differ.
        if not np.allclose(ours, theirs, rtol=4e-7, atol=8 * np.finfo(np.float32).eps * scale):
            raise AssertionError(f"{op}: poolkit and PyTorch differ beyond rounding")
        return "exact" if np.array_equal(ours, theirs) else "rounding"
    _same(op, ours, theirs)
    return "exact"


def _same(what, a, b):
    if a.shape != b.shape or not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
        diff = "shape" if a.shape != b.shape else np.abs(a.astype(float) - b).max()
        raise AssertionError(f"{what}: poolkit differs from PyTorch (max |diff| {diff})")


# --- timing -----------------------------------------------------------------------------

def _time_pair(f_pk, f_torch, budget, min_reps, max_reps, clock=time.perf_counter):
    """Interleave the two calls; return medians in ms."""
    f_pk()
    if f_torch is not None:
        f_torch()
    t_pk, t_torch = [], []
    start = time.perf_counter()
    while len(t_pk) < max_reps and (len(t_pk) < min_reps or time.perf_counter() - start < budget):
        t0 = clock()
        f_pk()
        t_pk.append(clock() - t0)
        if f_torch is not None:
            t0 = clock()
            f_torch()
            t_torch.append(clock() - t0)
    med = lambda ts: 1e3 * float(np.median(ts)) if ts else float("nan")
    return med(t_pk), med(t_torch), len(t_pk)


_COPY = {}


def copy_bandwidth(nbytes=128 << 20, reps=7):
    """Bytes per second of a large ``np.copyto`` (counting read + write), median of ``reps``."""
    if nbytes not in _COPY:
        _COPY[nbytes] = np.ones(nbytes // 4, dtype=np.float32), np.empty(nbytes // 4, np.float32)
    src, dst = _COPY[nbytes]
    np.copyto(dst, src)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        ts.append(time.perf_counter() - t0)
    return 2 * src.nbytes / float(np.median(ts))


def _traffic(op, x, out_cells):
    """Bytes an operation must move at least (float32 data, int64 indices)."""
    n_in, n_out = x.size, out_cells
    return 4 * {
        "max": n_in + n_out,
        "max+idx": n_in + 3 * n_out,        # values + int64 indices
        "max bwd": 3 * n_out + n_in,        # read grad + indices, write grad_x
        "avg": n_in + n_out,
        "avg bwd": n_out + n_in,
        "gmax": n_in + n_out,
        "gmax bwd": 2 * n_in + n_out,       # re-reads x to find the maxima
        "gavg": n_in + n_out,
        "gavg bwd": n_in + n_out,
    }[op]


def _target(name, op):
    """Ratio target of issue 3 (poolkit / PyTorch)."""
    if op.startswith("g"):
        return 2.5
    if op == "max":
        return 0.5
    if op in ("max+idx", "avg"):
        return 1.0
    return 1.3 if name == "stem" else 1.0  # backward


def run(names, ops_filter, budget, min_reps, max_reps, out=sys.stdout, cpu=False):
    """Check and time every (workload, op); print the table; return (rows, misses, header).

    ``cpu``: time process CPU time instead of wall-clock time, PyTorch on one thread.
    """
    bw = copy_bandwidth()
    have_torch = torch is not None
    if have_torch:
        torch.set_num_threads(1 if cpu else 2)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    header = (f"numpy {np.__version__}, "
              + (f"torch {torch.__version__} ({torch.get_num_threads()} "
                 f"thread{'s' if torch.get_num_threads() > 1 else ''})" if have_torch
                 else "PyTorch not installed: poolkit timings only")
              + f"; copy bandwidth {bw / 1e9:.1f} GB/s (read + write, re-measured before each "
              f"workload); {os.cpu_count()} CPUs, "
              f"load average {load:.1f}"
              + ("; CPU time, not wall-clock (--cpu)" if cpu else ""))
    print(header, file=out)
    head = (f"{'workload':8} {'op':9} {'poolkit ms':>10} {'torch ms':>9} {'ratio':>6} "
            f"{'target':>7} {'floor x':>8} {'reps':>4}  result")
    print(head, file=out)
    print("-" * len(head), file=out)
    misses, rows = [], []
    rng = np.random.default_rng(0)
    for name in names:
        shape, k, s, p = WORKLOADS[name]
        x = rng.standard_normal(shape, dtype=np.float32)
        scale = float(np.abs(x).max())
        bw = copy_bandwidth()          # the load of a shared machine changes during the run
        if k is None:
            pk_ops, g = _pk_global_ops(x)
            t_ops = _torch_global_ops(x, g) if have_torch else {}
            out_cells = shape[0] * shape[1]
        else:
            pk_ops, g = _pk_window_ops(x, k, s, p)
            t_ops = _torch_window_ops(x, g, k, s, p) if have_torch else {}
            out_cells = g.size
        for op, f_pk in pk_ops.items():
            if ops_filter and op not in ops_filter:
                continue
            f_t = t_ops.get(op)
            verdict = _check(op, f_pk(), f_t(), scale) if f_t else "unchecked"
            ms_pk, ms_t, reps = _time_pair(f_pk, f_t, budget, min_reps, max_reps,
                                           time.process_time if cpu else time.perf_counter)
            ratio = ms_pk / ms_t if f_t else float("nan")
            floor = ms_pk / (1e3 * _traffic(op, x, out_cells) / bw)
            target = _target(name, op)
            bad = []
            if f_t and ratio > target:
                bad.append(f"ratio > {target}")
            if name == "one" and ms_pk >= 0.2:
                bad.append("one >= 0.2 ms")
            if name in ("vgg", "mid") and op in FORWARD and floor > 4:
                bad.append("floor x > 4")
            misses += [f"{name} {op}: {b}" for b in bad]
            rows.append((name, op, ms_pk, ms_t, ratio, target, floor, reps, verdict, bad))
            print(f"{name:8} {op:9} {ms_pk:10.3f} {ms_t:9.3f} {ratio:6.2f} {target:7.1f} "
                  f"{floor:8.1f} {reps:4d}  {verdict}{'  MISS: ' + ', '.join(bad) if bad else ''}",
                  file=out)
            out.flush()
    print(file=out)
    verdict = "all within target" if not misses else "outside target: " + "; ".join(misses)
    if cpu:
        verdict += " (CPU time against single-threaded PyTorch: not the issue's comparison)"
    print(verdict, file=out)
    return rows, misses, header


def markdown(rows, header, command):
    """The table as Markdown, for benchmarks/RESULTS.md."""
    lines = [f"`{command}` — {header}, {time.strftime('%Y-%m-%d %H:%M')}", "",
             "| workload | op | poolkit ms | PyTorch ms | poolkit / PyTorch | target | "
             "poolkit / memory floor | checked | outside target |",
             "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for name, op, ms_pk, ms_t, ratio, target, floor, _reps, verdict, bad in rows:
        lines.append(f"| {name} | {op} | {ms_pk:.3f} | {ms_t:.3f} | {ratio:.2f} | "
                     f"≤ {target:g} | {floor:.1f} | {verdict} | {', '.join(bad)} |")
    return "\n".join(lines) + "\n"


def backward_bounds(names, budget, out=sys.stdout):
    """Lower bounds for max backward in numpy, against PyTorch's whole backward.

    For each workload with non-overlapping windows, time (interleaved with PyTorch's
    ``max_pool2d_with_indices_backward``, like the main table) three single numpy steps that
    any exact numpy max backward needs at least one of, each given its inputs ready-made:

    * ``fill``: zeroing the gradient array (a scatter needs a zeroed target);
    * ``scatter``: the one fancy assignment ``gx[flat] = g``, flat indices precomputed;
    * ``tile writes``: writing every gradient cell once from ``g`` with one strided copy per
      window offset, no selection at all (the cheapest write a select-by-offset method makes).

    When a bound alone is near or above 1.0, no numpy method built on it can beat PyTorch.
    """
    if torch is None:
        print("PyTorch is not installed: no bounds to compare", file=out)
        return
    torch.set_num_threads(2)
    print("max backward, numpy lower bounds / PyTorch's whole backward (same run, interleaved)",
          file=out)
    head = (f"{'workload':8} {'torch ms':>9} {'poolkit':>8} {'fill':>6} {'scatter':>8} "
            f"{'tile writes':>12}")
    print(head, file=out)
    print("-" * len(head), file=out)
    rng = np.random.default_rng(0)
    for name in names:
        shape, k, s, p = WORKLOADS[name]
        if k is None or k != s or p != 0:
            continue
        x = rng.standard_normal(shape, dtype=np.float32)
        _, idx = pk.max_pool2d(x, k, stride=s, return_indices=True)
        g = _grad_like(idx)
        N, C, H, W = shape
        planes = N * C
        flat = (idx.reshape(planes, -1) + np.arange(planes)[:, None] * (H * W)).ravel()
        gx = np.zeros(N * C * H * W, np.float32)
        gx4 = gx.reshape(planes, H, W)
        g3 = g.reshape(planes, H // k, W // k)
        xt, gt, it = torch.from_numpy(x), torch.from_numpy(g), torch.from_numpy(idx)
        f_t = lambda: torch.ops.aten.max_pool2d_with_indices_backward(
            gt, xt, (k, k), (s, s), (0, 0), (1, 1), False, it)

        def tiles():
            for i in range(k):
                for j in range(k):
                    np.copyto(gx4[:, i:(H // k) * k:k, j:(W // k) * k:k], g3)

        steps = {
            "poolkit": lambda: pk.max_pool2d_backward(g, x, k, stride=s, indices=idx),
            "fill": lambda: gx.fill(0),
            "scatter": lambda: gx.__setitem__(flat, g.ravel()),
            "tile writes": tiles,
        }
        ratios, ms_t = {}, []
        for step, f in steps.items():
            ms, mt, _ = _time_pair(f, f_t, budget, 5, 201)
            ratios[step] = ms / mt
            ms_t.append(mt)
        print(f"{name:8} {float(np.median(ms_t)):9.3f} {ratios['poolkit']:8.2f} "
              f"{ratios['fill']:6.2f} {ratios['scatter']:8.2f} {ratios['tile writes']:12.2f}",
              file=out)
        out.flush()
    print(file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="small workloads only (" + ", ".join(QUICK) + "), fewer repeats")
    ap.add_argument("--workloads", default=None,
                    help="comma-separated subset of " + ", ".join(WORKLOADS))
    ap.add_argument("--ops", default=None,
                    help="comma-separated subset of " + ", ".join(WINDOW_OPS + GLOBAL_OPS))
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds of timing per row (default 1.5, quick 0.3)")
    ap.add_argument("--markdown", metavar="FILE", default=None,
                    help="also write the table as Markdown to FILE")
    ap.add_argument("--cpu", action="store_true",
                    help="measure process CPU time with PyTorch on one thread: steadier on a "
                         "busy machine, but not the issue's comparison (two PyTorch threads, "
                         "wall clock)")
    ap.add_argument("--bounds", action="store_true",
                    help="instead of the table: numpy lower bounds for max backward "
                         "(zero fill, one scatter, one write per cell) against PyTorch")
    args = ap.parse_args(argv)
    names = args.workloads.split(",") if args.workloads else (QUICK if args.quick else list(WORKLOADS))
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    ops = set(args.ops.split(",")) if args.ops else None
    budget = args.budget if args.budget is not None else (0.3 if args.quick else 1.5)
    if args.bounds:
        backward_bounds(names, budget)
        return 0
    rows, misses, header = run(names, ops, budget, min_reps=5 if args.quick else 11,
                               max_reps=201, cpu=args.cpu)
    if args.markdown:
        command = "python benchmarks/bench_pooling.py " + " ".join(argv if argv is not None
                                                                   else sys.argv[1:])
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(markdown(rows, header, command.strip()))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
