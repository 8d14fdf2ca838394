#!/usr/bin/env python3
"""Size of the library's export cells against fastcore's, and long lines in `compvis_kit/`.

    python3 tools/cell_stats.py [--max-median 8] [--max-multi 0.15] [--max-line 120] [--check]

Prints the median lines of code per export cell, the share of export cells holding more than one top-level
definition (def/class, decorated ones counted once), the largest cells, and the lines of `compvis_kit/` longer than
`--max-line`. With `--check` it exits 1 when a target is missed (issue 18's: median <= 8, <= 15% multi, no long line)."""
import argparse, ast, json, statistics, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def export_cells(nbs):
    "(notebook, cell id, source without directives) of every `#| export`/`#| exports` cell under `nbs`."
    for nb in sorted(nbs.rglob('*.ipynb')):
        if '.ipynb_checkpoints' in nb.parts: continue
        for c in json.loads(nb.read_text())['cells']:
            if c['cell_type'] != 'code': continue
            src = ''.join(c['source'])
            lines = src.splitlines()
            if not any(l.strip().replace(' ', '') in ('#|export', '#|exports') for l in lines): continue
            yield nb.relative_to(nbs), c.get('id'), '\n'.join(l for l in lines if not l.strip().startswith('#|'))

def code_lines(src): return [l for l in src.splitlines() if l.strip() and not l.strip().startswith('#')]

def n_defs(src):
    "Top-level function and class definitions in `src` (0 when it does not parse)."
    try: tree = ast.parse(src)
    except SyntaxError: return 0
    return sum(isinstance(o, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for o in tree.body)

def long_lines(lib, limit):
    "(file, line, length) of the lines longer than `limit` in `lib` (nbdev's own `__all__` lists too: see nbs/dev)."
    return [(p.relative_to(ROOT), i, len(l)) for p in sorted(lib.rglob('*.py')) if p.name != '_modidx.py'
            for i, l in enumerate(p.read_text().splitlines(), 1) if len(l) > limit]

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--max-median', type=float, default=8); ap.add_argument('--max-multi', type=float, default=0.15)
    ap.add_argument('--max-line', type=int, default=120); ap.add_argument('--check', action='store_true')
    a = ap.parse_args(argv)
    cells = [(nb, cid, len(code_lines(s)), n_defs(s)) for nb, cid, s in export_cells(ROOT/'nbs')]
    sizes = [n for *_, n, _ in cells]
    med, multi = statistics.median(sizes), sum(d > 1 for *_, d in cells) / len(cells)
    longl = long_lines(ROOT/'compvis_kit', a.max_line)
    print(f"export cells: {len(cells)}; median {med:g} lines (target <= {a.max_median:g}); "
          f"{multi:.0%} hold more than one definition (target <= {a.max_multi:.0%}); most in one cell: {max(d for *_, d in cells)}")
    for nb, cid, n, d in sorted(cells, key=lambda o: -o[2])[:5]: print(f"  largest: {nb} #{cid}: {n} lines, {d} definitions")
    print(f"lines over {a.max_line} characters in compvis_kit/: {len(longl)}"
          + (f" (e.g. {longl[0][0]}:{longl[0][1]}, {longl[0][2]})" if longl else ''))
    ok = med <= a.max_median and multi <= a.max_multi and not longl
    if a.check and not ok: sys.exit(1)

if __name__ == '__main__': main()
