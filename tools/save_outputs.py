#!/usr/bin/env python3
"""Run notebooks and keep their small, stable outputs, so the published docs show results (tables, plots, reprs).

    python3 tools/save_outputs.py [NOTEBOOK ...]      # default: the library notebooks nbs/NN_*.ipynb

Each notebook runs as `nbdev-test --save` runs it (skip flags honoured, outputs written only when every cell passes);
then outputs that would be noise or churn in the docs are dropped: warnings on stderr, progress bars, empty results,
and any single output over `MAX_BYTES`. `nbdev-clean` keeps the rest. Run it with `.venv` built (`python3 cvk.py test`)."""
import json, re, subprocess, sys, os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 120_000
BAR = re.compile(r'[█▏▎▍▌▋▊▉]|\|[-█]{10,}\||\d+\.\d+% \[\d+/\d+')
SKIP = {'25_install.ipynb', '26_readonly.ipynb'}       # they build venvs / mount folders: nothing to show

def noise(o) -> bool:
    "Whether the output `o` is noise for the docs: stderr, a progress bar, an empty result, or too large."
    if o['output_type'] == 'stream': return o.get('name') == 'stderr' or bool(BAR.search(''.join(o.get('text', ''))))
    if o['output_type'] == 'error': return False
    data = o.get('data', {})
    if not data: return True
    if any('progress' in ''.join(v) for k, v in data.items() if k == 'text/html'): return True
    return len(json.dumps(o)) > MAX_BYTES

def keep_outputs(fn) -> tuple:
    "Drop the noisy outputs of notebook `fn` in place; return (kept, dropped)."
    nb = json.loads(Path(fn).read_text()); kept = dropped = 0
    for c in nb['cells']:
        if c['cell_type'] != 'code': continue
        outs = [o for o in c.get('outputs', []) if not noise(o)]
        kept += len(outs); dropped += len(c.get('outputs', [])) - len(outs); c['outputs'] = outs
    Path(fn).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return kept, dropped

def main(fns):
    fns = [Path(f) for f in fns] or sorted(p for p in (ROOT/'nbs').glob('[0-9][0-9]_*.ipynb') if p.name not in SKIP)
    venv = ROOT/'.venv'/'bin'
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for fn in fns:
        r = subprocess.run([venv/'nbdev-test', '--save', fn], cwd=ROOT, env=env, capture_output=True, text=True)
        if r.returncode: print(f"{fn}: FAILED, outputs not saved\n{r.stderr[-1500:]}"); continue
        k, d = keep_outputs(fn)
        print(f"{fn.relative_to(ROOT) if fn.is_absolute() else fn}: {k} outputs kept, {d} dropped", flush=True)
    subprocess.run([venv/'nbdev-clean'], cwd=ROOT, check=True)

if __name__ == '__main__': main(sys.argv[1:])
