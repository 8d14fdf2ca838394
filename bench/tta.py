#!/usr/bin/env python3
"""TTA cost: plain `get_preds`, fastai's `tta(n=4)`, and compvis_kit's one-pass `tta_preds` with 5 views.

    .venv/bin/python bench/tta.py [--n 20000] [--bs 256] [--repeat 2] [--arch resnet18] [--size 32]

Side by side in one run, same model, same validation images: each timing is the best of `--repeat`, and each is
printed as a ratio to plain `get_preds` (machines here are noisy; the ratios are what to compare). Two loaders:
  - files: fastai's pipeline reading and decoding the PNG files for every pass (what `tta` repeats n+1 times)
  - cache: compvis_kit's pre-decoded arrays (`cache=True`), where only the model and the batch transforms cost
fastai's `tta(n=4)` runs 5 forward passes (4 augmented + 1 plain); ours with 5 views runs 5 as well, reading once.
"""
import argparse, time
import torch

VIEWS = ('identity', 'flip', 'zoom', 'shift_left', 'shift_right')

def best_of(f, repeat):
    "Lowest wall time of `repeat` calls of `f`, and its last result."
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); res = f(); ts.append(time.perf_counter() - t)
    return min(ts), res

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=20000, help='images in the competition folder (10%% validated on)')
    ap.add_argument('--bs', type=int, default=256)
    ap.add_argument('--repeat', type=int, default=2)
    ap.add_argument('--arch', default='resnet18')
    ap.add_argument('--size', type=int, default=32)
    a = ap.parse_args()
    from compvis_kit.all import fmnist_competition, competition_dls, timm_learner, CropPad, Flip, default_workers
    path = fmnist_competition(n=a.n)
    print(f"{a.arch} at {a.size} px, {torch.get_num_threads()} threads, device {'cuda' if torch.cuda.is_available() else 'cpu'}")
    print(f"{'loader':<7} {'method':<32} {'passes':>6} {'seconds':>8} {'x get_preds':>11}")
    for cache in (False, True):
        dls = competition_dls(path, item_tfms=CropPad(32 if a.size == 32 else a.size), batch_tfms=Flip(), bs=a.bs, cache=cache)
        kw = dict(channels=(32, 64, 128, 256)) if a.arch == 'resnet18' and a.size == 32 else {}
        learn = timm_learner(dls, a.arch, **kw)
        learn.no_bar().__enter__(); learn.no_logging().__enter__()   # no progress bars in the timings
        learn.get_preds()                                   # warm-up (workers, caches)
        rows = [('get_preds', 1, *best_of(lambda: learn.get_preds()[0], a.repeat)),
                ('fastai tta(n=4)', 5, *best_of(lambda: learn.tta(n=4)[0], a.repeat)),
                (f'ours, {len(VIEWS)} views', len(VIEWS), *best_of(lambda: learn.tta_preds(views=VIEWS).probs, a.repeat))]
        base = rows[0][2]
        for name, passes, s, _ in rows:
            print(f"{'cache' if cache else 'files':<7} {name:<32} {passes:>6} {s:8.2f} {s/base:11.2f}")
        f, o = rows[1][2], rows[2][2]
        print(f"{'cache' if cache else 'files':<7} ours / fastai, same number of forward passes: {o/f:.2f}  "
              f"({len(dls.valid_ds)} images, {default_workers() if not cache else 0} loader workers)")
        p1, p2 = learn.tta_preds(views=VIEWS).probs, learn.tta_preds(views=VIEWS).probs
        print(f"{'cache' if cache else 'files':<7} ours twice: identical = {torch.equal(p1, p2)}; "
              f"fastai twice: max difference = {(learn.tta(n=4)[0] - learn.tta(n=4)[0]).abs().max().item():.4f}")

if __name__ == '__main__': main()
