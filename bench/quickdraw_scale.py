#!/usr/bin/env python3
"""Quick Draw on every drawing, at scale: the cost of `stroke_index` and of streaming renders as the folder grows.

    OMP_NUM_THREADS=1 .venv/bin/python bench/quickdraw_scale.py [--per-word 5000,15000] [--words 340] [--pool 3000]
                                                                [--sample 20000] [--size 64] [--bs 64] [--keep]

For each `--per-word` N, writes a Kaggle-layout folder of `--words` x N drawings (train_simplified/<word>.csv with
countrycode, drawing, key_id, recognized, timestamp, word): real simplified `drawing` JSON from a pool of `--pool`
Hershey drawings (`quickdraw_competition`, built once in work/data), each row under a distinct key_id. Then, in a
fresh process per size (so peak RSS is that size's alone):
  - `stroke_index(path)`: build time (a full scan, every drawing checked to render), the index's own bytes (offsets
    and lines) and the process's RSS before and its peak after (VmHWM, /proc/self/status);
  - then, the peak reset (/proc/self/clear_refs): loading the cached index (seconds), an epoch's sample of every
    training drawing (`epoch_sample(per_class=None)`), and its peak RSS after
  - render throughput of one worker process at `--size` px: drawings/s of `StreamArray` (read by offset + parse +
    render, what a loader worker does) over `--sample` random training positions in batches of `--bs`.
Prints a table, the growth of both peaks per added drawing against the index's bytes per drawing (done when: the
build's at most 24 bytes per drawing), and the throughput ratio between the sizes (done when: within 10%). The
folders and their work folders are deleted at the end unless --keep. Run it alone (OMP_NUM_THREADS=1): other jobs
lower the rates. Measured results and the 50M projection: README, section "Quick Draw on every drawing".
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

def vm(key) -> int:
    "The /proc/self/status value `key` (VmRSS, VmHWM) in bytes."
    for line in open('/proc/self/status'):
        if line.startswith(key + ':'): return int(line.split()[1]) * 1024
    return 0

def pool_drawings(n):
    "`n` simplified drawings (JSON text) of the Hershey Quick Draw competition, and its words."
    import csv
    from compvis_kit.strokes import quickdraw_competition
    per = -(-n // 20)
    src = quickdraw_competition(words=20, per_word=per)
    out = []
    for fn in sorted((src/'train_simplified').glob('*.csv')):
        with open(fn, newline='', encoding='utf-8') as f: out += [r['drawing'] for r in csv.DictReader(f)]
    return out[:n]

def write_folder(dest, words, per_word, pool):
    "A Kaggle-layout folder of `words` x `per_word` drawings from `pool`, distinct key_ids; its size in bytes."
    (dest/'train_simplified').mkdir(parents=True)
    key, size = 5_000_000_000_000_000, 0
    for i in range(words):
        w = f'word{i:03d}'; j0 = i * 7919
        rows = [f'{"US" if r & 1 else "GB"},"{pool[(j0 + r) % len(pool)]}",{key + r},{"True" if r % 10 else "False"},'
                f'2017-03-{1 + r % 28:02d} 12:00:00.{r % 100000:05d},{w}\n' for r in range(per_word)]
        key += per_word
        fn = dest/'train_simplified'/f'{w}.csv'
        with open(fn, 'w', encoding='utf-8') as f:
            f.write('countrycode,drawing,key_id,recognized,timestamp,word\n'); f.writelines(rows)
        size += fn.stat().st_size
    return size

def child(path, sample, size, bs):
    "One size, in this fresh process: index build; then cached load, an epoch of every drawing, render throughput."
    import numpy as np
    import compvis_kit.strokes.stream as S        # imported before the baseline: the libraries are not the index
    rss0 = vm('VmRSS')
    t = time.perf_counter(); idx = S.stroke_index(path, force=True, verbose=False); build = time.perf_counter() - t
    hwm_build, nbytes = vm('VmHWM'), idx.nbytes
    del idx
    open('/proc/self/clear_refs', 'w').write('5')  # the peak starts again from here (VmHWM reset)
    rss1 = vm('VmRSS')
    t = time.perf_counter(); idx = S.stroke_index(path, verbose=False); load = time.perf_counter() - t
    assert idx.built['scanned'] == 0
    hold = S.stream_holdout(idx, 80)
    t = time.perf_counter(); walk = S.epoch_sample(idx, hold, None, 0); t_walk = time.perf_counter() - t
    pos = np.random.default_rng(0).choice(walk, sample, replace=False)
    x = S.StreamArray(path, idx, size=size)
    x[pos[:bs]]                                   # warm-up: files opened
    w, c = time.perf_counter(), time.process_time()
    for i in range(0, len(pos), bs): x[pos[i:i + bs]]
    w, c = time.perf_counter() - w, time.process_time() - c
    print(json.dumps(dict(n=len(idx), build_s=round(build, 1), load_s=round(load, 2), index_bytes=nbytes,
                          rss_before=rss0, hwm_build=hwm_build, rss_loaded=rss1, hwm_end=vm('VmHWM'),
                          walk_bytes=walk.nbytes, walk_s=round(t_walk, 2),
                          render_per_s_wall=round(len(pos) / w), render_per_s_cpu=round(len(pos) / c))))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--per-word', default='5000,15000'); p.add_argument('--words', type=int, default=340)
    p.add_argument('--pool', type=int, default=3000); p.add_argument('--sample', type=int, default=20000)
    p.add_argument('--size', type=int, default=64); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--keep', action='store_true'); p.add_argument('--child')
    a = p.parse_args()
    if a.child: return child(Path(a.child), a.sample, a.size, a.bs)
    print(f"load average {os.getloadavg()[0]:.2f}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}", flush=True)
    t = time.perf_counter(); pool = pool_drawings(a.pool)
    print(f"pool: {len(pool)} Hershey drawings ({time.perf_counter() - t:.0f} s)", flush=True)
    root = Path(tempfile.mkdtemp(prefix='cvk-qd-scale-', dir=os.environ.get('CVK_SCALE_DIR')))
    env = dict(os.environ, CVK_WORK=str(root/'work'), PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    res = []
    try:
        for n in map(int, a.per_word.split(',')):
            dest = root/f'qd-{a.words}x{n}'
            t = time.perf_counter(); disk = write_folder(dest, a.words, n, pool); gen = time.perf_counter() - t
            print(f"{a.words} x {n} = {a.words * n} drawings written: {disk / 1e9:.2f} GB, {gen:.0f} s", flush=True)
            out = subprocess.run([sys.executable, __file__, '--child', str(dest), '--sample', str(a.sample), '--size',
                                  str(a.size), '--bs', str(a.bs)], env=env, capture_output=True, text=True)
            if out.returncode: sys.exit(out.stderr)
            r = json.loads(out.stdout.strip().splitlines()[-1]) | dict(disk=disk, gen_s=round(gen))
            idx_files = sum(f.stat().st_size for f in (root/'work').rglob('index-*.npz'))
            r['index_file'] = idx_files; res.append(r); print(json.dumps(r), flush=True)
            if not a.keep: shutil.rmtree(dest); shutil.rmtree(root/'work', ignore_errors=True)
    finally:
        if not a.keep: shutil.rmtree(root, ignore_errors=True)
        else: print(f"kept {root}")
    mb = lambda b: f'{b / 2**20:,.1f}'
    print(f"\n{'drawings':>10} {'disk GB':>8} {'build s':>8} {'load s':>7} {'index MB':>9} {'RSS before MB':>14} "
          f"{'peak build MB':>14} {'peak epoch MB':>14} {'render/s':>9} {'render/CPU s':>13}")
    for r in res:
        print(f"{r['n']:>10,} {r['disk'] / 1e9:>8.2f} {r['build_s']:>8} {r['load_s']:>7} {mb(r['index_bytes']):>9} "
              f"{mb(r['rss_before']):>14} {mb(r['hwm_build']):>14} {mb(r['hwm_end']):>14} "
              f"{r['render_per_s_wall']:>9,} {r['render_per_s_cpu']:>13,}")
    if len(res) >= 2:
        a0, a1 = res[0], res[-1]; dn = a1['n'] - a0['n']
        grow, idx_b = (a1['hwm_build'] - a0['hwm_build']) / dn, (a1['index_bytes'] - a0['index_bytes']) / dn
        grow_e, walk_b = (a1['hwm_end'] - a0['hwm_end']) / dn, (a1['walk_bytes'] - a0['walk_bytes']) / dn
        ratio = a1['render_per_s_cpu'] / a0['render_per_s_cpu']
        print(f"\npeak RSS grows {grow:.1f} bytes per added drawing (the index: {idx_b:.1f}): "
              f"{'OK' if grow <= 24 else 'OVER'} (<= 24)")
        print(f"peak RSS of training (cached index, an epoch of every drawing, rendering) grows {grow_e:.1f} bytes per "
              f"added drawing (index {idx_b:.1f} + epoch {walk_b:.1f}): {'OK' if grow_e <= 24 else 'OVER'} (<= 24)")
        print(f"render throughput {a1['n']:,} vs {a0['n']:,}: x{ratio:.3f} per CPU second, "
              f"x{a1['render_per_s_wall'] / a0['render_per_s_wall']:.3f} wall: "
              f"{'OK' if abs(ratio - 1) <= .1 else 'OFF'}"
              " (within 10%)")
        print(f"disk {a1['disk'] / a1['n']:.0f} bytes per drawing; index build {a1['build_s'] / a1['n'] * 1e6:.1f} us "
              "per drawing")

if __name__ == '__main__': main()
