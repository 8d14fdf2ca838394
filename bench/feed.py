#!/usr/bin/env python3
"""Training throughput from JPEG files: the raw limit, fastai's default folder pipeline, and compvis_kit's feed.

    python bench/feed.py [--n 12000] [--bs 128] [--warmup 10] [--batches 60] [--archs convnext_tiny resnet18]
                         [--engines auto] [--presize 0] [--workers N]
    python bench/feed.py --smoke        # a CPU check that every path runs (tiny sizes and small stand-in archs
                                        # convnext_atto, resnet10t; < 1 minute): not a measurement

One run, one machine, for each architecture (timm, 224 px, batch `--bs`, bf16 autocast and channels-last on a GPU):
  - raw:    training steps on one synthetic batch already on the GPU (no data loading at all): the limit
  - fastai: `ImageDataLoaders.from_folder` with `Resize(256)`, `aug_transforms(size=224)`, `--workers` loader workers
            (PIL decode and resize in the workers)
  - feed:   `compvis_kit.feed.feed_dls(size=256, resize='crop')` + the same `aug_transforms(size=224)`: workers only read
            bytes, each batch is decoded in one call on the GPU (nvJPEG through `--engines`: torchvision and/or
            torchcodec), cropped and resized there; with `--presize 256`, also from the pre-resized cache
Both loaders end in `Normalize` (ImageNet stats). Images: `--n` 640x480 JPEGs (quality 90) cut from scikit-image's
sample photographs (random crops of random scale, flipped), in 10 class folders; written once to `--data`.
Each figure is training images/s over `--batches` steps after `--warmup` steps (the clock starts after a CUDA sync
and stops after one); validation is not run. Printed per pipeline: images/s, ratio to raw, the loader alone (no
model) in images/s, and the GPU memory the loader itself takes (peak allocated while iterating it, minus before).

On the GPU machine (torch, torchvision, timm, scikit-image, pandas preinstalled; no internet there): fastai is not
installed. Download these wheels here (Python 3.12 builds) and carry them:
    pip download --no-deps --python-version 3.12 --only-binary=:all: -d wheels fastai==2.8.12 fastcore fasttransform \
        fastprogress==1.0.3 fastdownload plum-dispatch beartype   # (+ safetensors scikit-learn if the machine lacks them)
then there:
    pip install --no-deps --no-index wheels/*.whl && PYTHONPATH=. python bench/feed.py
(fastprogress 1.1.x needs fasthtml: keep 1.0.3.) Optional: `pip install torchcodec` (a build matching that torch)
adds the torchcodec engine; `--engines torchvision torchcodec` times both.
"""
import argparse, os, sys, time, random
from pathlib import Path
import numpy as np, torch

def log(*a): print(*a, flush=True)

# ---------------------------------------------------------------- data: 640x480 JPEGs from real photographs
SKIMAGE_PHOTOS = ('astronaut', 'chelsea', 'coffee', 'rocket', 'hubble_deep_field', 'immunohistochemistry', 'motorcycle_left',
                  'camera', 'brick', 'grass', 'gravel', 'horse', 'moon', 'page', 'coins', 'clock', 'text', 'colorwheel')

def source_photos(smoke=False):
    "scikit-image's bundled sample photographs as RGB uint8 arrays (those that load offline)."
    try: from skimage import data
    except ImportError:
        if not smoke: sys.exit("bench/feed.py needs scikit-image for its photographs: pip install scikit-image (or run --smoke)")
        log("scikit-image is not installed: smoke run on synthetic gradient+noise pictures instead of photographs")
        rng = np.random.default_rng(0)
        yy, xx = np.mgrid[0:300, 0:400] / 300
        return [np.clip(np.stack([np.sin(xx*k) , np.cos(yy*k), xx*yy], -1) * 120 + 128 + rng.normal(0, 20, (300, 400, 3)), 0, 255).astype(np.uint8) for k in range(1, 6)]
    res = []
    for n in SKIMAGE_PHOTOS:
        try: a = getattr(data, n)()
        except Exception: continue                      # some need a download (pooch): skip them
        if isinstance(a, tuple): a = a[0]
        a = np.asarray(a)
        if a.dtype != np.uint8: a = (255 * (a - a.min()) / max(1e-9, float(a.max() - a.min()))).astype(np.uint8)
        if a.ndim == 2: a = np.stack([a]*3, -1)
        if a.shape[-1] == 4: a = a[..., :3]
        if min(a.shape[:2]) >= 128: res.append(a)
    if not res: sys.exit("no scikit-image sample photographs could be loaded")
    return res

def _make_chunk(args):
    from PIL import Image
    dest, idx, seed, wh, photos = args
    rng = random.Random(seed)
    W, H = wh
    for i in idx:
        k = i % len(photos); a = photos[k]
        h, w = a.shape[:2]
        s = rng.uniform(0.4, 1.0)                                    # crop of random scale and place, aspect of the target
        cw, ch = int(min(w, h*W/H) * s), int(min(h, w*H/W) * s)
        l, t = rng.randint(0, w - cw), rng.randint(0, h - ch)
        im = Image.fromarray(a[t:t+ch, l:l+cw]).resize((W, H), Image.BILINEAR)
        if rng.random() < 0.5: im = im.transpose(Image.FLIP_LEFT_RIGHT)
        fn = Path(dest)/'train_images'/f'c{i % 10}'/f'{i:06d}.jpg'
        im.save(fn, quality=90)

def make_photos(dest, n, wh=(640, 480), smoke=False, workers=8):
    "A competition folder of `n` JPEGs (`wh`) cut from the sample photographs, in 10 class folders; written once."
    import pandas as pd
    from PIL import Image
    dest = Path(dest); done = dest/'done.txt'
    if done.exists() and done.read_text() == f'{n} {wh}': return dest
    photos = source_photos(smoke)
    for c in range(10): (dest/'train_images'/f'c{c}').mkdir(parents=True, exist_ok=True)
    (dest/'test_images').mkdir(exist_ok=True)
    chunks = [(dest, list(range(i, min(n, i + 500))), i, wh, photos) for i in range(0, n, 500)]
    t = time.time()
    if workers > 1:
        from multiprocessing import get_context
        with get_context('fork').Pool(workers) as p: p.map(_make_chunk, chunks)
    else: list(map(_make_chunk, chunks))
    for j in range(4): Image.fromarray(photos[j % len(photos)][:200, :200]).save(dest/'test_images'/f't{j}.jpg')
    pd.DataFrame(dict(image_id=[f't{j}.jpg' for j in range(4)], label='c0')).to_csv(dest/'sample_submission.csv', index=False)
    done.write_text(f'{n} {wh}')
    log(f"wrote {n} JPEGs {wh[0]}x{wh[1]} from {len(photos)} source pictures in {time.time()-t:.0f} s to {dest}")
    return dest

# ---------------------------------------------------------------- timing
def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()

def raw_limit(arch, bs, size, warmup, batches, dev, amp):
    "Training images/s of `arch` on one synthetic batch already on `dev`: no data loading."
    import timm
    m = timm.create_model(arch, num_classes=10).to(dev).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(m.parameters(), 1e-3)
    x = torch.randn(bs, 3, size, size, device=dev).to(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (bs,), device=dev)
    for i in range(warmup + batches):
        if i == warmup: sync(dev); t = time.perf_counter()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=amp):
            loss = torch.nn.functional.cross_entropy(m(x), y)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    sync(dev)
    return bs * batches / (time.perf_counter() - t)

def loader_only(dl, warmup, batches, dev):
    "Images/s of iterating `dl` alone (batch transforms included), and the GPU memory it takes (peak - before, MiB)."
    if dev.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated()
    n, t, it = 0, None, iter(dl)
    for i in range(warmup + batches):
        try: xb, yb = next(it)
        except StopIteration: it = iter(dl); xb, yb = next(it)
        if i == warmup - 1: sync(dev); t = time.perf_counter()
        elif i >= warmup: n += len(xb)
    sync(dev)
    ips = n / (time.perf_counter() - t)
    mem = (torch.cuda.max_memory_allocated() - base) / 2**20 if dev.type == 'cuda' else float('nan')
    del it
    return ips, mem

def fit_throughput(dls, arch, warmup, batches, dev, amp):
    "Training images/s of a fastai Learner on `dls` (timm `arch`, AdamW, bf16 and channels-last on a GPU), validation not run."
    import timm
    from fastai.vision.all import Learner, Callback, CancelFitException, CrossEntropyLossFlat
    class Meter(Callback):
        order = 99
        def before_fit(self): self.i, self.n, self.t = 0, 0, None
        def after_batch(self):
            if not self.training: return
            self.i += 1
            if self.i == warmup: sync(dev); self.t = time.perf_counter(); return
            if self.i > warmup: self.n += len(self.learn.yb[0])
            if self.i == warmup + batches:
                sync(dev); self.ips = self.n / (time.perf_counter() - self.t); raise CancelFitException
    m = timm.create_model(arch, num_classes=10)
    learn = Learner(dls, m, loss_func=CrossEntropyLossFlat())
    learn = learn.to_channelslast(amp_mode='bf16') if amp else learn
    meter = Meter()
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3, cbs=[meter])
    if not hasattr(meter, 'ips'): raise RuntimeError(f"the epoch ended before {warmup + batches} batches: raise --n")
    return meter.ips

# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=12000, help='JPEGs in the folder (5%% held out); needs (warmup+batches)*bs of them')
    ap.add_argument('--bs', type=int, default=128)
    ap.add_argument('--warmup', type=int, default=10)
    ap.add_argument('--batches', type=int, default=60, help='timed training batches per pipeline')
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--archs', nargs='+', default=['convnext_tiny', 'resnet18'])
    ap.add_argument('--engines', nargs='+', default=['auto'], help="feed decoders: auto, torchvision, torchcodec")
    ap.add_argument('--presize', type=int, default=0, help='also time the feed from a cache pre-resized to this (shorter side)')
    ap.add_argument('--workers', type=int, default=None, help='loader workers (default: all cores)')
    ap.add_argument('--data', default=None, help='folder for the JPEGs (default: work/data/feed-bench-N)')
    ap.add_argument('--smoke', action='store_true', help='tiny CPU run that checks every path (not a measurement)')
    a = ap.parse_args()
    if a.smoke:
        a.n, a.bs, a.warmup, a.batches, a.size = 64, 8, 1, 1, 32
        if a.archs == ap.get_default('archs'): a.archs = ['convnext_atto', 'resnet10t']   # small stand-ins: a CPU check, not the measured models
        wh = (80, 60)
    else: wh = (640, 480)
    if a.warmup < 1: ap.error('--warmup must be at least 1')
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    amp = dev.type == 'cuda'
    workers = a.workers if a.workers is not None else (0 if a.smoke else os.cpu_count())
    from fastai.vision.all import ImageDataLoaders, Resize, aug_transforms, Normalize, imagenet_stats
    import fastai, timm, torchvision
    from compvis_kit.feed import feed_dls, jpeg_engine
    data = Path(a.data or Path('work')/'data'/f"feed-bench-{a.n}{'-smoke' if a.smoke else ''}")
    path = make_photos(data, a.n, wh, smoke=a.smoke, workers=1 if a.smoke else (os.cpu_count() or 1))
    gpu = torch.cuda.get_device_name() if amp else 'none (CPU)'
    log(f"{'SMOKE RUN on CPU: checks that the paths run; the numbers are NOT measurements' if a.smoke else 'measurement'}\n"
        f"device {gpu}, {os.cpu_count()} cores, {workers} loader workers; torch {torch.__version__}, torchvision {torchvision.__version__}, "
        f"timm {timm.__version__}, fastai {fastai.__version__}; bs {a.bs}, {a.size} px, {'bf16 + channels-last' if amp else 'fp32'}; "
        f"{a.batches} timed batches after {a.warmup}")
    size0 = round(a.size * 256 / 224)
    btf = lambda: [*aug_transforms(size=a.size), Normalize.from_stats(*imagenet_stats)]
    def fastai_dls():
        return ImageDataLoaders.from_folder(path/'train_images', valid_pct=0.05, seed=42, item_tfms=Resize(size0),
                                            batch_tfms=btf(), bs=a.bs, num_workers=workers, device=dev)
    feeds = [(f'feed ({jpeg_engine(e)})', dict(engine=e)) for e in a.engines]
    if a.presize: feeds.append((f'feed presize {a.presize}', dict(engine=a.engines[0], presize=a.presize)))
    def feed(kw): return lambda: feed_dls(path, size=size0, resize='crop', batch_tfms=btf(), bs=a.bs, num_workers=workers, device=dev,
                                          valid_pct=0.05, **kw)
    from compvis_kit.checks import check_images
    check_images(path, n_workers=workers)                     # the kit's image check, once, in parallel (then cached)
    pipes = [('fastai default', fastai_dls), *[(n, feed(kw)) for n, kw in feeds]]
    rows = []
    loader = {}
    for name, mk in pipes:                                    # the loaders alone first: throughput and GPU memory
        t = time.time(); dls = mk()
        ips, mem = loader_only(dls.train, a.warmup, a.batches, dev)
        loader[name] = (ips, mem); log(f"  loader {name}: {ips:,.0f} images/s, {mem:,.0f} MiB GPU (built in {time.time()-t:.1f} s)")
        del dls
    for arch in a.archs:
        lim = raw_limit(arch, a.bs, a.size, a.warmup, a.batches, dev, amp)
        rows.append((arch, 'raw (synthetic GPU batch)', lim, 1.0, float('nan'), float('nan'))); log(f"  {arch} raw: {lim:,.0f} images/s")
        for name, mk in pipes:
            ips = fit_throughput(mk(), arch, a.warmup, a.batches, dev, amp)
            rows.append((arch, name, ips, ips/lim, *loader[name])); log(f"  {arch} {name}: {ips:,.0f} images/s")
            if dev.type == 'cuda': torch.cuda.empty_cache()
    log(f"\n{'arch':<14} {'pipeline':<26} {'train img/s':>11} {'x raw':>6} {'loader img/s':>12} {'loader GPU MiB':>14}")
    for arch, name, ips, r, lips, mem in rows:
        log(f"{arch:<14} {name:<26} {ips:11,.0f} {r:6.2f} {lips:12,.0f} {mem:14,.0f}")

if __name__ == '__main__': main()
