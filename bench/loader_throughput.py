#!/usr/bin/env python3
"""Loader throughput: fastai's per-item pipeline vs compvis_kit's pre-decoded cache, against the model's own speed.

    .venv/bin/python bench/loader_throughput.py [--n 20000] [--bs 128] [--batches 60]

Measures, side by side in one run on the same competition folder (Fashion-MNIST, 32 px, pad + flip):
  1. images/s delivered by `competition_dls(..., cache=False)` (fastai DataBlock, 0..2 workers)
  2. images/s delivered by `competition_dls(..., cache=True)` (after the one-off decode, which is timed too)
  3. images/s of a training step of the half-width ResNet-18 the workflow uses, on random batches
and prints ratios: a loader slower than the model (ratio < 1) leaves the model waiting.
"""
import argparse, os, time
import torch

def loader_speed(dl, batches):
    "Images per second delivered by iterating `dl` for `batches` batches (after one warm-up batch)."
    it = iter(dl); next(it)
    t, n = time.perf_counter(), 0
    for i, (xb, yb) in enumerate(it):
        n += len(xb)
        if i + 1 >= batches: break
    return n / (time.perf_counter() - t)

def model_speed(bs, steps=8):
    "Training images per second of the workflow's half-width ResNet-18 at 32 px (random data)."
    import timm
    m = timm.create_model('resnet18', num_classes=10, channels=(32, 64, 128, 256))
    opt = torch.optim.AdamW(m.parameters(), 1e-3)
    x, y = torch.randn(bs, 3, 32, 32), torch.randint(0, 10, (bs,))
    for i in range(steps + 2):
        if i == 2: t = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(m(x), y); opt.zero_grad(); loss.backward(); opt.step()
    return bs * steps / (time.perf_counter() - t)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=20000, help='images in the competition folder')
    ap.add_argument('--bs', type=int, default=128)
    ap.add_argument('--batches', type=int, default=60)
    a = ap.parse_args()
    from compvis_kit.all import fmnist_competition, competition_dls, Resize, Flip
    path = fmnist_competition(n=a.n)
    tfms = dict(item_tfms=Resize(32, method='pad', pad_mode='zeros'), batch_tfms=Flip(), bs=a.bs)
    rows = []
    for nw in (0, 1, 2):
        rows.append((f'fastai pipeline, {nw} workers', loader_speed(competition_dls(path, num_workers=nw, **tfms).train, a.batches)))
    for f in (path/'.cvk_cache').glob('*.npy'): f.unlink()
    t = time.perf_counter(); dls = competition_dls(path, cache=True, **tfms); decode_s = time.perf_counter() - t
    rows.append(('cached arrays (compvis_kit, cache=True)', loader_speed(dls.train, a.batches)))
    model = model_speed(a.bs)
    print(f'\n{os.cpu_count()} cores, torch {torch.__version__}, {a.n} images, bs {a.bs}; one-off decode for the cache: {decode_s:.1f}s')
    print(f'{"loader":42s} {"img/s":>9s} {"loader/model":>13s}')
    for name, v in rows: print(f'{name:42s} {v:9.0f} {v/model:13.2f}')
    print(f'{"model training step (resnet18 half, 32 px)":42s} {model:9.0f} {1:13.2f}')
    base = rows[0][1]
    print(f'\ncache vs fastai (0 workers): {rows[-1][1]/base:.1f}x; vs fastai (best of 0-2 workers): {rows[-1][1]/max(v for _, v in rows[:3]):.1f}x')

if __name__ == '__main__': main()
