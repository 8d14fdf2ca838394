#!/usr/bin/env python3
"""Sweep machinery overhead per trial, with a train function that does nothing (`toy_train`, sleep 0), on the embedded
journal store (and on PostgreSQL with `--pg URL`, or `$CVK_PG_URL`).

    .venv/bin/python bench/sweep.py [--n 60] [--workers 1 2] [--pg URL]

For each worker count: a fresh grid of `--n` points; wall time from the workers' start to the last trial, the
time a worker spends in Python start-up and imports measured apart (`python -c "import compvis_kit.sweep.workers"`) and
subtracted. Overhead per trial = (wall - start-up) * workers / n: the seconds of worker time each trial costs
(claim, record, lease thread, report). In-process (`workers 0`): the same without any start-up. Target: <= 0.5 s.
"""
import argparse, os, subprocess, sys, tempfile, time
from pathlib import Path
import optuna
from compvis_kit.sweep import Sweep, toy_train

def startup_s(repeat=3):
    "Seconds for a fresh Python to import compvis_kit.sweep.workers (what each worker process pays once)."
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); subprocess.run([sys.executable, '-c', 'import compvis_kit.sweep.workers'], check=True); ts.append(time.perf_counter() - t)
    return min(ts)

def one(storage, n, workers, tag):
    sw = Sweep.create(f'bench-{tag}-{workers}-{os.getpid()}-{time.time_ns()}', toy_train, parameters=dict(x=list(range(n))), storage=storage)
    t = time.perf_counter()
    sw.run(workers=workers, lease=30, poll=0.05, every=3600, quiet=True, log_dir=tempfile.mkdtemp())
    wall = time.perf_counter() - t
    p = sw.progress()
    assert p['done'] == n and p['failed'] == 0, p
    return wall

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=60, help='grid points (trials) per measurement')
    ap.add_argument('--workers', type=int, nargs='+', default=[0, 1, 2], help='worker processes (0: in this process)')
    ap.add_argument('--pg', default=os.environ.get('CVK_PG_URL'), help='also measure on this PostgreSQL URL')
    a = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    st = startup_s()
    print(f"worker start-up (python -c 'import compvis_kit.sweep.workers'): {st:.2f} s, {os.cpu_count()} cpus")
    stores = [('journal', str(Path(tempfile.mkdtemp())/'bench.journal'))] + ([('postgresql', a.pg)] if a.pg else [])
    for tag, storage in stores:
        for w in a.workers:
            wall = one(storage, a.n, w, tag)
            per = (wall - (st if w else 0)) * max(w, 1) / a.n
            print(f"{tag:10s} workers={w}: {a.n} trials in {wall:.2f} s wall; overhead {per:.3f} s per trial"
                  f" (target <= 0.5 s: {'ok' if per <= 0.5 else 'OVER'})", flush=True)

if __name__ == '__main__': main()
