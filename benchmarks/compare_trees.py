"""Time two poolkit trees against each other, interleaved in one process.

    python benchmarks/compare_trees.py /path/to/old/checkout      # old tree vs this checkout

The old tree's ``poolkit`` package is copied under another name and imported beside this
checkout's, so both run in the same process, on the same arrays, alternating call by call:
load on a shared machine then slows both alike, and the ratio new / old is what is reported
(the minimum of many interleaved repeats for each). Used for issue 11's "no row more than 5 %
slower" check; it times the workloads and operations of ``bench_pooling.py --quick``.
"""

import importlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
WORKLOADS = {  # as bench_pooling.QUICK
    "mid": ((8, 256, 56, 56), 2, 2, 0),
    "one": ((1, 3, 224, 224), 2, 2, 0),
    "mnist": ((128, 16, 28, 28), 2, 2, 0),
    "gap": ((32, 512, 7, 7), None, None, None),
}


def load_old(tree):
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(Path(tree) / "poolkit", tmp / "poolkit_old")
    sys.path.insert(0, str(tmp))
    return importlib.import_module("poolkit_old")


def ops(pk, x, k, s, p):
    if k is None:
        g = np.ones(x.shape[:2], x.dtype)
        return {"gmax": lambda: pk.global_max_pool2d(x), "gmax bwd": lambda: pk.global_max_pool2d_backward(g, x),
                "gavg": lambda: pk.global_avg_pool2d(x), "gavg bwd": lambda: pk.global_avg_pool2d_backward(g, x)}
    out, idx = pk.max_pool2d(x, k, stride=s, padding=p, return_indices=True)
    g = np.ones_like(out)
    return {
        "max": lambda: pk.max_pool2d(x, k, stride=s, padding=p),
        "max+idx": lambda: pk.max_pool2d(x, k, stride=s, padding=p, return_indices=True),
        "max bwd": lambda: pk.max_pool2d_backward(g, x, k, stride=s, padding=p, indices=idx),
        "avg": lambda: pk.avg_pool2d(x, k, stride=s, padding=p),
        "avg bwd": lambda: pk.avg_pool2d_backward(g, x, k, stride=s, padding=p),
    }


def best(fn, budget):
    fn()
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-6)
    reps = max(1, int(budget / once))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv):
    old = load_old(argv[0])
    sys.path.insert(0, str(HERE))
    new = importlib.import_module("poolkit")
    rounds = int(argv[1]) if len(argv) > 1 else 5
    rng = np.random.default_rng(0)
    print("| workload | op | old ms | new ms | new / old |\n|---|---|---:|---:|---:|")
    worst = 0.0
    for name, (shape, k, s, p) in WORKLOADS.items():
        x = rng.standard_normal(shape).astype(np.float32)
        a, b = ops(old, x, k, s, p), ops(new, x, k, s, p)
        for op in a:
            t_old, t_new = [], []
            for _ in range(rounds):            # alternate old and new, round after round
                t_old.append(best(a[op], 0.05))
                t_new.append(best(b[op], 0.05))
            o, n = min(t_old), min(t_new)
            worst = max(worst, n / o)
            print(f"| {name} | {op} | {o * 1e3:.3f} | {n * 1e3:.3f} | {n / o:.3f} |")
    print(f"\nworst new / old: {worst:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
