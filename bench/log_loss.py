#!/usr/bin/env python3
"""Why the kit's `mean_nll` and not scikit-learn's `log_loss` in hill climbing: the time of one call on Quick Draw's
340 classes, side by side in one run (fastest of `--repeat`, one CPU thread).

    .venv/bin/python bench/log_loss.py [--items 10000] [--repeat 3]

Target (was a timed assertion in nbs/01_preds, flaky beside other tests): scikit-learn at least 5x mean_nll's time.
"""
import argparse, time
import torch
from sklearn.metrics import log_loss
from compvis_kit.preds import mean_nll

def secs(f, n):
    "The fastest of `n` timed calls of `f`."
    ts = []
    for _ in range(n): t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return min(ts)

def main(items=10_000, repeat=3):
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    p, t = torch.randn(items, 340, generator=g).softmax(1), torch.randint(0, 340, (items,), generator=g)
    sk = secs(lambda: log_loss(t.numpy(), p.numpy(), labels=range(340)), repeat)
    ours = secs(lambda: mean_nll(p, t), repeat)
    print(f"{items} items x 340 classes, fastest of {repeat}, one thread: scikit-learn log_loss {sk*1e3:.2f} ms, "
          f"mean_nll {ours*1e3:.3f} ms: {sk/ours:.0f}x (target >= 5x) {'ok' if sk/ours >= 5 else 'MISSED'}")

if __name__ == '__main__':
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument('--items', type=int, default=10_000); a.add_argument('--repeat', type=int, default=3)
    o = a.parse_args(); main(o.items, o.repeat)
