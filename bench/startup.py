#!/usr/bin/env python3
"""Start-up cost of the kit's processes, measured side by side in one run against bare Python.

    .venv/bin/python bench/startup.py [--repeat 5]

- Every console script of `pyproject.toml` (`cvk-*`), run as pip's wrapper runs it (a file that imports the entry
  point and calls it), with `--help` and with a mistyped flag: wall time (median of `--repeat` fresh processes) next to
  `python -c "import argparse"` measured in the same loop. Target: <= 10x.
- A stroke render worker: the peak RSS (VmHWM, sampled from /proc every 20 ms) of the worker processes of a real
  `render_shards` run (2 workers, started by the forkserver that imports only `compvis_kit.strokes.source`), next to
  `python -c "import numpy, numba"`; and a fresh process importing what the worker imports and rendering one drawing.
  Target: <= 2x. For reference, a process that imports `compvis_kit.strokes.data` (the caller's side, with fastai).

Each row also says whether torch or fastai got imported. Run from the repository root (it reads `pyproject.toml`).
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ('torch', 'fastai', 'pandas', 'optuna')
_REPORT = ("import atexit, sys\n"
           "atexit.register(lambda: print('\\nIMPORTED', *[m for m in {h!r} if m in sys.modules], file=sys.stderr))\n")
_RSS = ("import re, sys\n{code}\n"                 # VmHWM: the peak of this process image (ru_maxrss survives exec)
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]\n"
        "print('RSS', hwm, *[m for m in {h!r} if m in sys.modules])\n")
_DRAWING = [[[10, 60, 120, 200], [20, 90, 40, 180]], [[30, 30, 220], [200, 100, 100]]]

def console_scripts(pyproject=ROOT/'pyproject.toml') -> dict:
    "name: 'module:function' of the `[project.scripts]` table."
    txt = pyproject.read_text()
    sec = re.search(r'^\[project\.scripts\]\n(.*?)(?=^\[)', txt, re.S | re.M)[1]
    return dict(re.findall(r'^([\w-]+)\s*=\s*"([^"]+)"', sec, re.M))

def wrapper(d, name, target) -> Path:
    "What pip writes for the console script `name` (plus a line that reports the heavy modules imported)."
    mod, fn = target.split(':')
    f = Path(d)/name
    f.write_text(_REPORT.format(h=HEAVY) + f"from {mod} import {fn}\nsys.argv[0] = {name!r}\nsys.exit({fn}())\n")
    return f

def run(cmd):
    "(seconds, stderr) of `cmd`."
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - t, r.stderr

def timings(cmds, repeat) -> dict:
    "Median seconds per command of `cmds` (name: argv), measured round-robin so load hits all alike."
    ts = {k: [] for k in cmds}
    for _ in range(repeat):
        for k, c in cmds.items(): ts[k].append(run(c)[0])
    return {k: statistics.median(v) for k, v in ts.items()}

def imported(stderr) -> str:
    m = re.search(r'^IMPORTED(.*)$', stderr, re.M)
    return (m[1].strip() or '-') if m else 'n/a'

def rss(code, repeat):
    "Smallest peak RSS (MiB) over `repeat` fresh processes running `code`, and the heavy modules it imported."
    res, cmd = [], [sys.executable, '-c', _RSS.format(code=code, h=HEAVY)]
    subprocess.run(cmd, capture_output=True, cwd=ROOT)                  # warm: numba compiles and caches on a first call
    for _ in range(repeat):
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
        kb, *mods = r.stdout.split('RSS ')[1].split()
        res.append((int(kb)/1024, ' '.join(mods) or '-'))
    return min(res)

def _hwm(pid) -> float:
    "Peak RSS (MiB) of process `pid` so far, 0 if it is gone."
    try: return int(re.search(r'VmHWM:\s+(\d+)', Path(f'/proc/{pid}/status').read_text())[1]) / 1024
    except (OSError, TypeError): return 0.

def _descendants(pid) -> list:
    kids = []
    for t in Path(f'/proc/{pid}/task').glob('*/children'):
        try: kids += [int(c) for c in t.read_text().split()]
        except OSError: pass
    return kids + [g for k in kids for g in _descendants(k)]

def worker_peak() -> float:
    "The largest peak RSS (MiB) among the processes `render_shards` starts (the forkserver and the workers it forks)."
    import threading
    from compvis_kit.strokes import quickdraw_competition, render_shards
    with tempfile.TemporaryDirectory() as d:
        p = quickdraw_competition(Path(d)/'qd', words=4, per_word=60, n_test=24)
        peak, name, done, me = {}, {}, threading.Event(), os.getpid()
        def watch():
            while not done.is_set():
                for k in _descendants(me):                  # forkserver, its workers, the tracker
                    peak[k] = max(peak.get(k, 0.), _hwm(k))
                    if k not in name:
                        try: name[k] = Path(f'/proc/{k}/cmdline').read_text().replace('\0', ' ')[:100]
                        except OSError: pass
                time.sleep(.02)
        th = threading.Thread(target=watch); th.start()
        render_shards(p, Path(d)/'warm', size=64, shard_size=50, n_workers=0)     # numba's cache filled first
        try: render_shards(p, Path(d)/'sh', size=64, shard_size=50, n_workers=2)
        finally: done.set(); th.join()
    if not peak: raise RuntimeError('no worker process seen')
    if os.environ.get('CVK_BENCH_DEBUG'): print(*[f'{k} {v:.0f} MiB {name.get(k)}' for k, v in peak.items()], sep='\n')
    return max(peak.values())

def main(repeat=5):
    base = [sys.executable, '-c', 'import argparse']
    with tempfile.TemporaryDirectory() as d:
        scripts = {n: wrapper(d, n, t) for n, t in console_scripts().items()}
        cmds = {'python -c "import argparse"': base}
        for n, f in scripts.items():
            cmds[f'{n} --help'] = [sys.executable, str(f), '--help']
            cmds[f'{n} --no-such-flag'] = [sys.executable, str(f), '--no-such-flag']
        run(base)                                                           # warm the file cache
        t = timings(cmds, repeat)
        mods = {k: imported(run(c)[1]) for k, c in cmds.items()}
    b = t['python -c "import argparse"']
    rows = [(k, f'{v:.3f}', f'{v/b:.1f}x', mods[k]) for k, v in t.items()]
    print(f"Start-up, median of {repeat} (fresh processes, {os.cpu_count()} cores); target <= 10x bare Python\n")
    print(f"| {'command':<40} | {'seconds':>8} | {'ratio':>6} | imports of {', '.join(HEAVY)}")
    print(f"|{'-'*42}|{'-'*10}|{'-'*8}|{'-'*20}")
    for r in rows: print(f"| {r[0]:<40} | {r[1]:>8} | {r[2]:>6} | {r[3]}")
    draw = f"s.render(s.as_drawing({_DRAWING!r}), 64)"
    mem = {'python -c "import numpy, numba"': rss('import numpy, numba', repeat),
           'render_shards worker (2 workers, 5 shards): peak': (worker_peak(), '-'),
           'strokes.source: import + render one drawing': rss(f'import compvis_kit.strokes.source, compvis_kit.strokes as s; {draw}', repeat),
           'strokes.data: import + render one drawing (reference)':
               rss(f'import compvis_kit.strokes.data, compvis_kit.strokes as s; {draw}', repeat)}
    mb = mem['python -c "import numpy, numba"'][0]
    print(f"\nRender worker peak RSS (smallest of {repeat}); target <= 2x numpy + numba\n")
    print(f"| {'process':<52} | {'MiB':>6} | {'ratio':>6} | imports of {', '.join(HEAVY)}")
    print(f"|{'-'*54}|{'-'*8}|{'-'*8}|{'-'*20}")
    for k, (v, m) in mem.items(): print(f"| {k:<52} | {v:>6.0f} | {v/mb:>5.1f}x | {m}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--repeat', type=int, default=5, help='fresh processes per command (default: 5)')
    main(p.parse_args().repeat)
