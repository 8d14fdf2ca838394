#!/usr/bin/env python3
"""Quick Draw stroke throughput: reading the stroke formats, rendering each encoding, sharding, and loading the shards.

    .venv/bin/python bench/strokes.py [--per-word 1000] [--words 20] [--n 4000] [--size 64] [--shard-size 2500]
                                      [--workers 0,1,2] [--shard-repeat 2] [--mem-n 4000] [--mem-shard 1000] [--bs 128] [--batches 40] [--no-loader]
                                      [--parts 1,2,3,4,5,6] [--naive-n 10000] [--naive-repeat 5] [--big 100000,1000000] [--big-size 32] [--big-shard 5000] [--big-workers 2]

On the Hershey Quick Draw competition (`quickdraw_competition(words=20, per_word=1000)`, built once in work/data; the
build is timed when it happens), side by side in one run:
  1. single process, one core: drawings/s of parse alone for each format (Kaggle CSV, simplified ndjson, binary, and raw
     ndjson for reference), of `render(d, 64, encoding)` alone on pre-parsed drawings, and of streaming parse + render
     (`read_kaggle_csv` -> `render`) for each encoding in `ENCODINGS`. Rates are per CPU second (`time.process_time`),
     i.e. per core; wall-clock rates are printed beside them (they fall when the shared machine is busy).
  2. `render_shards` of the whole training set with 0 (in-process), 1 and 2 worker processes: drawings/s (wall, best
     of 2), the scaling ratio to 1 worker, and the CPU seconds of all processes; the on-disk size of the shards.
  3. peak memory of `render_shards` for N and 2N drawings (fixed `--mem-shard`): the tracemalloc peak of an in-process
     run (n_workers=0; tracemalloc sees numpy's buffers, not OpenCV's scratch), and RSS of a fresh process running it
     with 2 workers: the parent's before and at peak (VmHWM, reset through /proc/self/clear_refs) and its largest
     worker's peak (ru_maxrss, RUSAGE_CHILDREN), beside an idle worker forked the same way (its baseline).
  4. `shard_dls` train-loader throughput (images/s) against a training step of a small 4-conv CNN (16-128 channels) at
     the same size, each with torch's default thread count and with 1 thread.
  5. parse + render at 64 px in the 3-channel `time` encoding, one process, drawings per CPU second: ours (`read_kaggle_csv` streaming
     -> `render`, engine 'auto': the numba rasteriser; engine='cv2' printed for reference) against a naive
     renderer written here (csv.reader, `json.loads` of the drawing column, PIL `ImageDraw.line` per segment drawing the same R/G/B
     time encoding), and the ratio; best of `--naive-repeat` runs, the renderers interleaved so that they see the same load; how close
     the naive images are to ours is printed beside.
  6. peak RSS of `render_shards(path, dest)` pre-rendering all 100k and then all 1M drawings of a folder (`--big`) with `--big-workers`
     worker processes, each in a fresh process as in part 3: parent and largest worker, their sum and max, the 1M/100k ratios. No
     items are passed: render_shards streams the drawings (a pass to check, count and hash them, then the render pass), holding no
     table of them. Building 1M Hershey drawings would
     take hours (~15 ms each), so `repeated_folder` writes a Kaggle-layout folder of N drawings (work/data/...-x<N>, kept for
     reruns) by repeating the real drawings of the competition above, each copy under a fresh unique key_id, streamed row by row
     (never more than one 1,000-row source file in memory). Rendered at 32 px plain (1 KB a drawing: 1 GB of shards for 1M;
     deleted right after each measurement).
`--parts` picks parts, e.g. `--parts 5,6` for parts 5 and 6 alone (part 4 needs part 2's shards).
The load average is printed at the start and the end: other jobs on the machine lower the wall-clock numbers.
"""
import argparse, contextlib, csv, io, itertools, json, os, resource, shutil, subprocess, sys, time, tracemalloc
import numpy as np
from pathlib import Path

def quiet():
    "Swallow stdout (the kit's progress bars) for the duration."
    return contextlib.redirect_stdout(io.StringIO())

def loadavg(): return ' '.join(f'{v:.2f}' for v in os.getloadavg())

def timed(f):
    "(wall seconds, CPU seconds of this process, result) of one call of `f`."
    w, c = time.perf_counter(), time.process_time()
    res = f()
    return time.perf_counter() - w, time.process_time() - c, res

def best_of(f, repeat):
    "The run with the lowest CPU time of `repeat` calls of `f`."
    return min((timed(f) for _ in range(repeat)), key=lambda o: o[1])

def take(reader, files, k):
    "The first `k` records of each of `files`, streamed by `reader`."
    return itertools.chain.from_iterable(itertools.islice(reader(fn), k) for fn in files)

def mb(b): return b / 2**20

def status_kib(field):
    "A field of /proc/self/status (VmRSS, VmHWM) in KiB."
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'): return int(line.split()[1])

def rss_child(a):
    "Hidden mode: render_shards with `--rss-workers` workers in this fresh process; print RSS (KiB): this process before and at peak, its largest worker's peak."
    import pandas as pd
    from compvis_kit.strokes import render_shards
    items = None if a.rss_child == 'stream' else pd.read_pickle(a.rss_child)   # 'stream': render_shards lists the drawings itself, holding no table
    try: open('/proc/self/clear_refs', 'w').write('5'); reset = True          # the peak (VmHWM) restarts from the current RSS
    except OSError: reset = False
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(1) as ex: ex.submit(os.getpid).result()          # an idle worker forked from here: the workers' baseline
    idle = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    before = status_kib('VmRSS')
    with quiet(): render_shards(a.path, a.dest, items, size=a.size, shard_size=a.mem_shard, n_workers=a.rss_workers, test=False, verbose=False)
    print(json.dumps(dict(before=before, idle=idle, parent=status_kib('VmHWM') if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                          reset=reset, worker=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))

def naive_time(text, size=64, lw=2):
    "A naive renderer of the `time` encoding: json.loads of the CSV's drawing text, then PIL's ImageDraw.line per segment, uint8 (size, size, 3)."
    from PIL import Image, ImageDraw
    d = json.loads(text)
    img = Image.new('RGB', (size, size)); draw = ImageDraw.Draw(img)
    k, n_pts, n_str, i0 = (size - 1 - 2 * lw) / 255, sum(len(s[0]) for s in d), len(d), 0
    for si, (xs, ys) in enumerate(d):
        r, n = round(255 - 200 * si / max(n_str - 1, 1)), len(xs)            # R: stroke order
        segs = max(n - 1, 1)
        for j in range(segs):
            p, q = j, min(j + 1, n - 1)
            g = round(255 - 200 * (2 * i0 + p + q) / 2 / max(n_pts - 1, 1))    # G: progress through the drawing (point index)
            b = round(255 - 200 * j / max(segs - 1, 1))                        # B: progress along the stroke
            draw.line([(xs[p] * k + lw, ys[p] * k + lw), (xs[q] * k + lw, ys[q] * k + lw)], fill=(r, g, b), width=lw)
        i0 += n
    return np.asarray(img)

def repeated_folder(src, n, dest):
    """A Kaggle-layout folder `dest` (train_simplified/<word>.csv) of `n` drawings: the real drawings of `src` repeated in turn, each copy
    under a fresh unique key_id (the source id and the copy number), written row by row: only one source file is ever in memory. Written once."""
    done = dest/'done.json'
    if done.exists() and json.loads(done.read_text()).get('n') == n: return dest
    shutil.rmtree(dest, ignore_errors=True); (dest/'train_simplified').mkdir(parents=True)
    fns = sorted((src/'train_simplified').glob('*.csv'))
    for i, fn in enumerate(fns):
        want = n // len(fns) + (i < n % len(fns))
        with open(fn, newline='', encoding='utf-8') as f: rows = list(csv.reader(f))
        head, rows, ik = rows[0], rows[1:], rows[0].index('key_id')
        with open(dest/'train_simplified'/fn.name, 'w', newline='', encoding='utf-8') as f:
            w = csv.writer(f); w.writerow(head)
            for j in range(want):
                row = list(rows[j % len(rows)]); row[ik] = f'{row[ik]}{j // len(rows):05d}'; w.writerow(row)
    done.write_text(json.dumps(dict(n=n, source=str(src))))
    return dest

def small_cnn(c_in, n_out):
    "Four 3x3 conv-BN-ReLU-maxpool blocks (16-128 channels), global pool, linear."
    from torch import nn
    layers, c = [], c_in
    for w in (16, 32, 64, 128):
        layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True), nn.MaxPool2d(2)]; c = w
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, n_out))

def loader_speed(dl, batches):
    "Images per second delivered by iterating `dl` for `batches` batches (after one warm-up batch), and a batch."
    it = iter(dl); xb, yb = next(it)
    t, n = time.perf_counter(), 0
    for i, (x, _) in enumerate(it):
        n += len(x)
        if i + 1 >= batches: break
    return n / (time.perf_counter() - t), n, xb, yb

def model_speed(xb, yb, n_out, min_s=3., max_steps=8):
    "Training images per second of `small_cnn` on the batch `xb`, `yb`: one warm-up step, then steps for at least `min_s` (at least 2)."
    import torch
    m = small_cnn(xb.shape[1], n_out).to(xb.device)
    opt = torch.optim.AdamW(m.parameters(), 1e-3)
    x, y = xb.as_subclass(torch.Tensor).float(), yb.as_subclass(torch.Tensor).long()     # plain tensors, not fastai's
    def step(): loss = torch.nn.functional.cross_entropy(m(x), y); opt.zero_grad(); loss.backward(); opt.step()
    step(); t, n = time.perf_counter(), 0
    while n < max_steps and (n < 2 or time.perf_counter() - t < min_s): step(); n += 1
    return len(x) * n / (time.perf_counter() - t)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--words', type=int, default=20)
    ap.add_argument('--per-word', type=int, default=1000, help='training drawings per word in the generated competition')
    ap.add_argument('--n', type=int, default=4000, help='drawings per single-process measurement (an equal share of each file)')
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--repeat', type=int, default=3, help='parse-only timings: best of this many')
    ap.add_argument('--shard-size', type=int, default=2500)
    ap.add_argument('--workers', default='0,1,2', help='render_shards worker counts to time')
    ap.add_argument('--shard-repeat', type=int, default=2, help='render_shards timings: best of this many')
    ap.add_argument('--mem-n', type=int, default=4000, help='N of the memory measurement (N and 2N drawings)')
    ap.add_argument('--mem-shard', type=int, default=1000, help='shard_size of the memory measurement')
    ap.add_argument('--bs', type=int, default=128)
    ap.add_argument('--batches', type=int, default=40)
    ap.add_argument('--no-loader', action='store_true', help='skip part 4 (shard_dls vs a CNN training step)')
    ap.add_argument('--keep', action='store_true', help='keep the rendered shards (work/bench/strokes-<pid>)')
    ap.add_argument('--parts', default='1,2,3,4,5,6', help='which parts to run (see above), e.g. 5,6')
    ap.add_argument("--naive-n", type=int, default=10000, help="part 5: drawings parsed and rendered by each renderer (2,000 gave 0.13 CPU s, too short to time on a noisy machine)")
    ap.add_argument('--naive-repeat', type=int, default=5, help='part 5: best of this many runs of each renderer, interleaved')
    ap.add_argument('--big', default='100000,1000000', help='part 6: drawing counts to pre-render')
    ap.add_argument('--big-size', type=int, default=32, help='part 6: render size (32 px plain: 1 KB a drawing on disk)')
    ap.add_argument('--big-shard', type=int, default=5000, help='part 6: shard_size')
    ap.add_argument('--big-workers', type=int, default=2, help='part 6: render_shards worker processes')
    ap.add_argument('--rss-child', help=argparse.SUPPRESS)
    ap.add_argument('--rss-workers', type=int, default=2, help=argparse.SUPPRESS)
    ap.add_argument('--path', help=argparse.SUPPRESS)
    ap.add_argument('--dest', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.rss_child: return rss_child(a)
    parts = {int(o) for o in a.parts.split(',')}

    t_start = time.perf_counter()
    import warnings; warnings.filterwarnings('ignore', message='.*torch.jit.script.*')   # an import-time notice from torch
    import numpy as np, cv2, torch
    from compvis_kit.core import work_dir
    from compvis_kit.strokes import read_strokes, read_kaggle_csv, read_ndjson, read_binary, render, ENCODINGS
    from compvis_kit.strokes import stroke_items, stroke_split, render_shards, shard_dls
    from compvis_kit.strokes import quickdraw_competition
    print(f'{os.cpu_count()} cores, python {sys.version.split()[0]}, torch {torch.__version__}, opencv {cv2.__version__}, numpy {np.__version__}')
    print(f'load average at start (1/5/15 min): {loadavg()}')

    # --- the data, built once -------------------------------------------------------------------------------
    pre = work_dir('data')/f'quickdraw-hershey-{a.words}-{a.per_word}'
    built = not (pre/'cvk_dataset.json').exists()
    w, _, path = timed(lambda: quickdraw_competition(words=a.words, per_word=a.per_word))
    print(f'data: {path} ({a.words} words x {a.per_word} training drawings): '
          + (f'built now in {w:.1f}s ({a.words * a.per_word / w:.0f} drawings/s incl. raw, ndjson, binary, test)' if built else 'built before, reused'))
    fmt_files = dict(csv=sorted((path/'train_simplified').glob('*.csv')), ndjson=sorted((path/'simplified').glob('*.ndjson')),
                     bin=sorted((path/'binary').glob('*.bin')), raw=sorted((path/'raw').glob('*.ndjson')))
    k = -(-a.n // len(fmt_files['csv']))                                   # per file
    n = k * len(fmt_files['csv'])
    src_bytes = {f: sum(p.stat().st_size for p in fs) for f, fs in fmt_files.items()}
    summary = []

    # --- 1. single process: parse alone, render alone, parse + render ---------------------------------------
    el = lambda: f'[{time.perf_counter() - t_start:.0f}s] '
    if 1 in parts:
        print(f'\n{el()}1. single process, {n} drawings ({k} from each of {len(fmt_files["csv"])} files), {a.size} px; '
              f'per core = per CPU second; parse-only best of {a.repeat}')
        readers = dict(csv=('Kaggle CSV (read_kaggle_csv)', read_kaggle_csv), ndjson=('simplified ndjson (read_ndjson)', read_ndjson),
                       bin=('binary (read_binary)', read_binary), raw=('raw ndjson (read_strokes, x,y,t)', read_strokes))
        print(f'{"parse alone":42s} {"MB on disk":>10s} {"wall s":>7s} {"/s wall":>8s} {"/s/core":>8s} {"ms/drawing":>10s} {"x csv":>6s}')
        parse = {}
        for f, (name, rd) in readers.items():
            wall, cpu, cnt = best_of(lambda: sum(1 for _ in take(rd, fmt_files[f], k)), a.repeat)
            assert cnt == n, (f, cnt, n)
            parse[f] = (wall, cpu)
        for f, (name, _) in readers.items():
            wall, cpu = parse[f]
            print(f'{name:42s} {mb(src_bytes[f]):10.1f} {wall:7.2f} {n / wall:8.0f} {n / cpu:8.0f} '
                  f'{1e3 * cpu / n:10.3f} {parse["csv"][1] / cpu:6.2f}')
            if f != 'raw': summary.append((f'parse alone: {name.split(" (")[0]}', n / cpu, 'drawings/s/core', parse['csv'][1] / cpu, 'x csv'))
        print('(MB on disk: the whole training set in that format; "x csv" > 1 means faster than the CSV)')

        drawings = [r['drawing'] for r in take(read_kaggle_csv, fmt_files['csv'], k)]
        pts = np.mean([sum(len(s) for s in d) for d in drawings]); strokes = np.mean([len(d) for d in drawings])
        print(f'\n{len(drawings)} drawings, {strokes:.1f} strokes and {pts:.1f} points each on average')
        print(f'{"encoding":13s} {"shape":>10s} {"render /s/core":>14s} {"ms":>6s} {"csv parse+render /s/core":>24s} {"ms":>6s} '
              f'{"/s wall":>8s} {"render share":>12s} {"x plain":>7s}')
        rows = {}
        for enc in ENCODINGS:
            shape = render(drawings[0], a.size, enc).shape
            for d in drawings[:50]: render(d, a.size, enc)                         # warm-up
            rw, rc, _ = timed(lambda: [render(d, a.size, enc) for d in drawings])
            def stream():
                for fn in fmt_files['csv']:
                    for r in itertools.islice(read_kaggle_csv(fn), k): render(r['drawing'], a.size, enc)
            pw, pc, _ = timed(stream)
            rows[enc] = (shape, rc, pw, pc)
        for enc, (shape, rc, pw, pc) in rows.items():
            print(f'{enc:13s} {"x".join(map(str, shape)):>10s} {n / rc:14.0f} {1e3 * rc / n:6.3f} {n / pc:24.0f} {1e3 * pc / n:6.3f} '
                  f'{n / pw:8.0f} {rc / pc:11.0%} {rows["plain"][3] / pc:7.2f}')
            summary.append((f'csv parse + render {enc} {a.size}px', n / pc, 'drawings/s/core', parse['csv'][1] / pc, 'x csv parse alone'))
        print('(render share: render-alone CPU time / parse+render CPU time; "x plain": parse+render speed relative to plain)')

    # --- 5. ours against a naive renderer ---------------------------------------------------------------------
    if 5 in parts:
        kn = -(-a.naive_n // len(fmt_files['csv'])); nn_ = kn * len(fmt_files['csv'])
        def ours(engine='auto'):
            for fn in fmt_files['csv']:
                for r in itertools.islice(read_kaggle_csv(fn), kn): yield render(r['drawing'], 64, 'time', engine=engine)
        ours_cv2 = lambda: ours('cv2')
        def naive():
            for fn in fmt_files['csv']:
                with open(fn, newline='', encoding='utf-8') as f:
                    rd = csv.reader(f); col = next(rd).index('drawing')
                    for row in itertools.islice(rd, kn): yield naive_time(row[col], 64)
        for f in (ours, ours_cv2, naive): list(itertools.islice(f(), 50))       # warm-up (and the numba kernels loaded or compiled)
        res5 = {}
        for _ in range(a.naive_repeat):                                         # interleaved, so that all three see the same load
            for name, f in (('ours', ours), ('naive', naive), ('cv2', ours_cv2)):
                t = timed(lambda: sum(1 for _ in f()))
                if name not in res5 or t[1] < res5[name][1]: res5[name] = t
        (ow, oc, on), (nw_, nc, nn2), (cw, cc, _) = res5['ours'], res5['naive'], res5['cv2']
        assert on == nn2 == nn_, (on, nn2, nn_)
        n_imgs = list(itertools.islice(naive(), 200))                               # the same drawings, in the same order
        o8 = [render(r['drawing'], 64, 'time', antialias=False) for fn in fmt_files['csv'] for r in itertools.islice(read_kaggle_csv(fn), kn)][:200]
        ink = lambda x: x.max(-1) > 0
        iou = np.mean([(ink(x) & ink(y)).sum() / max((ink(x) | ink(y)).sum(), 1) for x, y in zip(o8, n_imgs)])
        mad = np.mean([np.abs(x.astype(int) - y.astype(int))[ink(x) & ink(y)].mean() for x, y in zip(o8, n_imgs)])
        print(f'\n{el()}5. parse + render at 64 px, time encoding (3 channels), {nn_} drawings ({kn} from each of {len(fmt_files["csv"])} CSVs), '
              f'one process, best of {a.naive_repeat} by CPU time, the renderers interleaved')
        print(f'{"":62s} {"CPU s":>7s} {"drawings/s/core":>15s} {"/s wall":>8s}')
        print(f'{"ours: read_kaggle_csv -> render(d, 64, time), antialiased":62s} {oc:7.2f} {nn_ / oc:15.0f} {nn_ / ow:8.0f}')
        print(f'{"  the same with render(..., engine=cv2), for reference":62s} {cc:7.2f} {nn_ / cc:15.0f} {nn_ / cw:8.0f}')
        print(f'{"naive: csv.reader, json.loads, PIL ImageDraw.line per segment":62s} {nc:7.2f} {nn_ / nc:15.0f} {nn_ / nw_:8.0f}')
        print(f'ours / naive, per core: {nc / oc:.2f}x (target >= 3x)')
        print(f'(the naive renderer draws the same encoding: ink IoU with ours unantialiased {iou:.2f}, mean |difference| where both have ink '
              f'{mad:.1f} of 255, over 200 drawings; PIL draws without antialiasing, ours antialiases)')
        summary.append(('ours parse + render time 64px', nn_ / oc, 'drawings/s/core', nc / oc, 'x naive (PIL)'))

    # --- 2. render_shards scaling ---------------------------------------------------------------------------
    out = work_dir('bench')/f'strokes-{os.getpid()}'
    dest2 = None
    try:
        if parts & {2, 3, 4}:
            with quiet(): wi, _, items = timed(lambda: stroke_items(path, verbose=False))
            N = len(items)
        if 2 in parts:
            print(f'\n{el()}2. render_shards of the training set: {N} drawings, plain {a.size} px, shard_size {a.shard_size} '
                  f'({-(-N // a.shard_size)} shards); stroke_items listed them in {wi:.1f}s ({N / wi:.0f}/s)')
            print(f'{"workers":>7s} {"wall s":>7s} {"drawings/s":>10s} {"x 1 worker":>10s} {"CPU s, all processes":>20s} {"cores busy":>10s} {"drawings/CPU s":>14s}')
            shard_rates = {}
            def cpu_all():
                t = os.times(); return t.user + t.system + t.children_user + t.children_system    # children: joined workers
            for nw in [int(o) for o in a.workers.split(',')]:
                runs = []
                for r in range(a.shard_repeat):
                    dest = out/f'shards-w{nw}-{r}'; c0 = cpu_all()
                    with quiet(): wall, _, _ = timed(lambda: render_shards(path, dest, items, size=a.size, shard_size=a.shard_size,
                                                                           n_workers=nw, test=False, verbose=False))
                    runs.append((wall, cpu_all() - c0))
                    if r: shutil.rmtree(dest)                                     # keep one copy
                shard_rates[nw] = min(runs)
                if nw == 2 or dest2 is None: dest2 = out/f'shards-w{nw}-0'
            base = N / shard_rates[1][0] if 1 in shard_rates else float('nan')
            for nw, (wall, cpu) in shard_rates.items():
                print(f'{nw:7d} {wall:7.2f} {N / wall:10.0f} {N / wall / base:10.2f} {cpu:20.2f} {cpu / wall:10.2f} {N / cpu:14.0f}')
                summary.append((f'render_shards, {nw} worker{"s" if nw != 1 else ""}' + (' (in-process)' if nw == 0 else ''), N / wall, 'drawings/s',
                                N / wall / base, 'x 1 worker'))
            print(f'(best of {a.shard_repeat} by wall time; CPU s counts this process and its joined worker processes: '
                  'cores busy = CPU s / wall s; 2 workers with cores busy near 1 were held back by other jobs, not by the code)')
            npy = sum(p.stat().st_size for p in (dest2/'train').glob('*.npy')); ids = sum(p.stat().st_size for p in (dest2/'train').glob('*.csv'))
            print(f'on disk: {mb(npy):.1f} MB of .npy shards ({npy / N:.0f} bytes/drawing = {a.size}x{a.size} uint8 + header) '
                  f'and {mb(ids):.2f} MB of id CSVs; the source CSVs are {mb(src_bytes["csv"]):.1f} MB ({npy / src_bytes["csv"]:.1f}x)')
            summary.append(('shards on disk', mb(npy + ids), 'MB', (npy + ids) / src_bytes['csv'], 'x source CSVs'))

        # --- 3. peak memory for N and 2N ----------------------------------------------------------------------
        if 3 in parts:
            per = -(-a.mem_n // a.words)
            print(f'\n{el()}3. peak memory of render_shards, plain {a.size} px, shard_size {a.mem_shard} (one shard = '
                  f'{mb(a.mem_shard * a.size * a.size):.1f} MB of uint8)')
            print(f'{"":15s} {"in-process":>19s} {"fresh process, n_workers=2: RSS MB":>46s}')
            print(f'{"drawings":>8s} {"shards":>6s} {"tracemalloc peak MB":>19s} {"parent before":>14s} {"parent peak":>12s} {"idle worker":>12s} {"worker peak":>12s}')
            mem = {}
            for m in (1, 2):
                sub = items.groupby('word', sort=False).head(per * m).reset_index(drop=True)
                tracemalloc.start(); tracemalloc.reset_peak()
                with quiet(): render_shards(path, out/f'mem-tm-{m}', sub, size=a.size, shard_size=a.mem_shard, n_workers=0, test=False, verbose=False)
                peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
                pkl = out/f'items-{m}.pkl'; sub.to_pickle(pkl)
                r = subprocess.run([sys.executable, __file__, '--rss-child', str(pkl), '--path', str(path), '--dest', str(out/f'mem-rss-{m}'),
                                    '--size', str(a.size), '--mem-shard', str(a.mem_shard)], capture_output=True, text=True)
                if r.returncode: raise RuntimeError(f'rss child failed:\n{r.stderr[-3000:]}')
                rss = json.loads(r.stdout.strip().splitlines()[-1])
                mem[m] = (len(sub), peak, rss)
                print(f'{len(sub):8d} {-(-len(sub) // a.mem_shard):6d} {mb(peak):19.1f} {rss["before"] / 1024:14.0f} {rss["parent"] / 1024:12.0f} '
                      f'{rss["idle"] / 1024:12.0f} {rss["worker"] / 1024:12.0f}')
            (n1, p1, r1), (n2, p2, r2) = mem[1], mem[2]
            print(f'2N / N: tracemalloc peak {p2 / p1:.2f}x, worker RSS {r2["worker"] / r1["worker"]:.2f}x, parent RSS {r2["parent"] / r1["parent"]:.2f}x '
                  f'(worker peak above an idle worker: {(r1["worker"] - r1["idle"]) / 1024:.0f} -> {(r2["worker"] - r2["idle"]) / 1024:.0f} MB; RSS includes the interpreter with torch and fastai'
                  + ('' if r1['reset'] else '; /proc/self/clear_refs refused: parent peak is ru_maxrss, import peak included') + ')')
            summary.append((f'tracemalloc peak, {n1} -> {n2} drawings', mb(p2), 'MB', p2 / p1, 'x at N'))
            summary.append((f'worker RSS above idle, {n1} -> {n2} drawings', (r2['worker'] - r2['idle']) / 1024, 'MB',
                            (r2['worker'] - r2['idle']) / max(r1['worker'] - r1['idle'], 1), 'x at N'))

        # --- 4. shard_dls vs a CNN training step ------------------------------------------------------------
        if 4 in parts and not a.no_loader and dest2 is not None:
            stroke_split(path, items, n_valid=max(1, min(100, a.per_word // 5)))
            dls = shard_dls(dest2, bs=a.bs)
            t0 = torch.get_num_threads(); res = {}
            for th in dict.fromkeys((t0, 1)):                                   # the default thread count, then 1
                torch.set_num_threads(th)
                ls = [loader_speed(dls.train, a.batches) for _ in range(2)]     # best of 2 passes
                lr, ln, xb, yb = max(ls, key=lambda o: o[0])
                res[th] = (lr, model_speed(xb, yb, len(dls.vocab)))
            torch.set_num_threads(t0)
            mr = max(m for _, m in res.values())
            print(f'\n{el()}4. shard_dls train loader (memory-mapped shards, bs {a.bs}, {ln} images a pass, best of 2, device {xb.device}) '
                  f'vs a training step of a 4-conv CNN on {tuple(xb.shape[1:])}')
            print(f'{"":44s} {"images/s":>9s} {"x fastest CNN step":>18s}')
            for th, (lr, m) in res.items():
                print(f'{f"shard_dls train loader, {th} torch thread(s)":44s} {lr:9.0f} {lr / mr:18.2f}')
                summary.append((f'shard_dls train loader, {th} torch thread(s)', lr, 'images/s', lr / mr, 'x fastest CNN step'))
            for th, (lr, m) in res.items():
                print(f'{f"small CNN training step, {th} torch thread(s)":44s} {m:9.0f} {m / mr:18.2f}')
                summary.append((f'small CNN training step, {th} torch thread(s)', m, 'images/s', m / mr, 'x fastest CNN step'))
            print('(the loader runs in the main process, its batch transforms are torch ops: on a busy machine torch threads '
                  'that wait for each other can slow them a lot; compare the thread counts)')
        # --- 6. peak RSS of render_shards at 100k and 1M drawings ---------------------------------------------
        if 6 in parts:
            counts = [int(o) for o in a.big.split(',')]
            print(f'\n{el()}6. peak RSS of render_shards for {", ".join(map(str, counts))} drawings: plain {a.big_size} px, shard_size {a.big_shard}, '
                  f'{a.big_workers} worker processes, each count in a fresh process')
            print(f'{"drawings":>9s} {"parent before":>13s} {"parent peak":>11s} {"idle worker":>11s} {"worker peak":>11s} '
                  f'{"sum":>6s} {"max":>6s} {"render s":>8s} {"shards MB":>9s}  (RSS in MB)')
            big = {}; out.mkdir(parents=True, exist_ok=True)
            for cnt in counts:
                bp = repeated_folder(path, cnt, work_dir('data')/f'quickdraw-hershey-{a.words}-{a.per_word}-x{cnt}')
                bd = out/f'big-{cnt}'; t0 = time.perf_counter()
                r = subprocess.run([sys.executable, __file__, '--rss-child', 'stream', '--path', str(bp), '--dest', str(bd), '--size', str(a.big_size),
                                    '--mem-shard', str(a.big_shard), '--rss-workers', str(a.big_workers)], capture_output=True, text=True)
                secs = time.perf_counter() - t0
                if r.returncode: raise RuntimeError(f'rss child failed:\n{r.stderr[-3000:]}')
                rss = {k: v / 1024 if isinstance(v, int) and not isinstance(v, bool) else v for k, v in json.loads(r.stdout.strip().splitlines()[-1]).items()}
                n_sh = len(list((bd/'train').glob('*.npy'))); disk = mb(sum(f.stat().st_size for f in (bd/'train').glob('*.npy')))
                assert n_sh == -(-cnt // a.big_shard), (n_sh, cnt)
                shutil.rmtree(bd)                                                   # 1 GB at 1M: measured, then deleted
                big[cnt] = rss
                print(f'{cnt:9d} {rss["before"]:13.0f} {rss["parent"]:11.0f} {rss["idle"]:11.0f} {rss["worker"]:11.0f} '
                      f'{rss["parent"] + rss["worker"]:6.0f} {max(rss["parent"], rss["worker"]):6.0f} {secs:8.0f} {disk:9.0f}')
            if len(counts) == 2:
                (c1, r1), (c2, r2) = big.items()
                s1, s2, m1, m2 = r1['parent'] + r1['worker'], r2['parent'] + r2['worker'], max(r1['parent'], r1['worker']), max(r2['parent'], r2['worker'])
                print(f'{c2} / {c1}: parent peak {r2["parent"] / r1["parent"]:.3f}x, worker peak {r2["worker"] / r1["worker"]:.3f}x, '
                      f'sum {s2 / s1:.3f}x, max {m2 / m1:.3f}x (targets: {c2} peak < 1024 MB and within 10% of the {c1} peak); '
                      f'parent peak above its RSS before render_shards: {r1["parent"] - r1["before"]:.0f} -> {r2["parent"] - r2["before"]:.0f} MB')
                print('(RSS includes the interpreter with numpy, pandas, torch and fastai imported; the workers are forked from the parent, so '
                      'pages they share with it are counted in both, and "sum" overstates the machine\'s total)')
                summary.append((f'render_shards peak RSS (sum), {c1} -> {c2}', s2, 'MB', s2 / s1, f'x at {c1}'))
    finally:
        if not a.keep:
            shutil.rmtree(out, ignore_errors=True)
            with contextlib.suppress(OSError): out.parent.rmdir()              # work/bench, when nothing else is there

    print(f'\nsummary ({a.words} words x {a.per_word}, {a.size} px, {os.cpu_count()} cores)')
    print(f'{"measure":44s} {"value":>10s} {"unit":16s} {"ratio":>7s} {"ratio of":s}')
    for name, v, unit, r, of in summary: print(f'{name:44s} {v:10.1f} {unit:16s} {r:7.2f} {of}')
    print(f'\nload average at end (1/5/15 min): {loadavg()}; total {time.perf_counter() - t_start:.0f}s')

if __name__ == '__main__': main()
