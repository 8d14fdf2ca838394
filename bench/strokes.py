#!/usr/bin/env python3
"""Quick Draw stroke throughput: reading the stroke formats, rendering each encoding, sharding, and loading the shards.

    .venv/bin/python bench/strokes.py [--per-word 1000] [--words 20] [--n 4000] [--size 64] [--shard-size 2500]
                                      [--workers 0,1,2] [--shard-repeat 2] [--mem-n 4000] [--mem-shard 1000] [--bs 128] [--batches 40] [--no-loader]

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
The load average is printed at the start and the end: other jobs on the machine lower the wall-clock numbers.
"""
import argparse, contextlib, io, itertools, json, os, resource, shutil, subprocess, sys, time, tracemalloc
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
    "Hidden mode: render_shards with 2 workers in this fresh process; print RSS (KiB): this process before and at peak, its largest worker's peak."
    import pandas as pd
    from compvis_kit.stroke_data import render_shards
    items = pd.read_pickle(a.rss_child)
    try: open('/proc/self/clear_refs', 'w').write('5'); reset = True          # the peak (VmHWM) restarts from the current RSS
    except OSError: reset = False
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(1) as ex: ex.submit(os.getpid).result()          # an idle worker forked from here: the workers' baseline
    idle = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    before = status_kib('VmRSS')
    with quiet(): render_shards(a.path, a.dest, items, size=a.size, shard_size=a.mem_shard, n_workers=2, test=False, verbose=False)
    print(json.dumps(dict(before=before, idle=idle, parent=status_kib('VmHWM') if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                          reset=reset, worker=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))

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
    ap.add_argument('--rss-child', help=argparse.SUPPRESS)
    ap.add_argument('--path', help=argparse.SUPPRESS)
    ap.add_argument('--dest', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.rss_child: return rss_child(a)

    t_start = time.perf_counter()
    import warnings; warnings.filterwarnings('ignore', message='.*torch.jit.script.*')   # an import-time notice from torch
    import numpy as np, cv2, torch
    from compvis_kit.core import work_dir
    from compvis_kit.strokes import read_strokes, read_kaggle_csv, read_ndjson, read_binary, render, ENCODINGS
    from compvis_kit.stroke_data import stroke_items, stroke_split, render_shards, shard_dls
    from compvis_kit.datasets.hershey import quickdraw_competition
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

    # --- 2. render_shards scaling ---------------------------------------------------------------------------
    out = work_dir('bench')/f'strokes-{os.getpid()}'
    try:
        with quiet(): wi, _, items = timed(lambda: stroke_items(path, verbose=False))
        N = len(items)
        print(f'\n{el()}2. render_shards of the training set: {N} drawings, plain {a.size} px, shard_size {a.shard_size} '
              f'({-(-N // a.shard_size)} shards); stroke_items listed them in {wi:.1f}s ({N / wi:.0f}/s)')
        print(f'{"workers":>7s} {"wall s":>7s} {"drawings/s":>10s} {"x 1 worker":>10s} {"CPU s, all processes":>20s} {"cores busy":>10s} {"drawings/CPU s":>14s}')
        shard_rates, dest2 = {}, None
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
        if not a.no_loader:
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
    finally:
        if not a.keep:
            shutil.rmtree(out, ignore_errors=True)
            with contextlib.suppress(OSError): out.parent.rmdir()              # work/bench, when nothing else is there

    print(f'\nsummary ({a.words} words x {a.per_word}, {a.size} px, {os.cpu_count()} cores)')
    print(f'{"measure":44s} {"value":>10s} {"unit":16s} {"ratio":>7s} {"ratio of":s}')
    for name, v, unit, r, of in summary: print(f'{name:44s} {v:10.1f} {unit:16s} {r:7.2f} {of}')
    print(f'\nload average at end (1/5/15 min): {loadavg()}; total {time.perf_counter() - t_start:.0f}s')

if __name__ == '__main__': main()
