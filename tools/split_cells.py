#!/usr/bin/env python3
"""Split export cells that hold several top-level definitions into one cell per definition (fastcore's shape).

    python3 tools/split_cells.py NOTEBOOK [...]

Each `def`/`class` (with its decorators and the comment lines just above it) becomes a cell of its own carrying the
same `#|` directives; consecutive other statements (constants, small assignments) stay together in one cell. Code is
unchanged, line for line: only cell boundaries move, so the exported module is the same but for its `# %%` markers.
Cells that do not parse, or hold one definition, are left alone."""
import ast, json, sys
from pathlib import Path

def chunks(body_lines):
    "Line ranges [start, end) of `body_lines` (code without directives): one per definition, one per run of other statements."
    tree = ast.parse('\n'.join(body_lines))
    isdef = lambda o: isinstance(o, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    if sum(map(isdef, tree.body)) < 2: return None
    spans = []
    for o in tree.body:
        start = min([d.lineno for d in getattr(o, 'decorator_list', [])] + [o.lineno]) - 1
        kind = 'def' if isdef(o) else 'stmt'
        if spans and kind == 'stmt' and spans[-1][2] == 'stmt': spans[-1][1] = o.end_lineno
        else: spans.append([start, o.end_lineno, kind])
    for i in range(1, len(spans)): spans[i][0] = spans[i-1][1]          # blank and comment lines go with what follows
    spans[0][0], spans[-1][1] = 0, len(body_lines)
    return [(a, b) for a, b, _ in spans]

def split_cell(c):
    "The cells that `c` splits into (just `[c]` when it stays whole)."
    lines = ''.join(c['source']).split('\n')
    n_dir = next((i for i, l in enumerate(lines) if not l.startswith('#|')), len(lines))
    directives, body = lines[:n_dir], lines[n_dir:]
    if not any(d.replace(' ', '') in ('#|export', '#|exports') for d in directives): return [c]
    try: spans = chunks(body)
    except SyntaxError: return [c]
    if not spans: return [c]
    res = []
    for k, (a, b) in enumerate(spans):
        part = body[a:b]
        while part and not part[0].strip(): part = part[1:]
        while part and not part[-1].strip(): part = part[:-1]
        if not part: continue
        text = '\n'.join(directives + part)
        src = [l + '\n' for l in text.split('\n')]; src[-1] = src[-1][:-1]
        res.append(dict(c, id=c['id'] if k == 0 else f"{c['id']}s{k}", source=src, outputs=[]))
    return res

def split_notebook(fn) -> int:
    "Split the multi-definition export cells of notebook `fn` in place; return how many cells were added."
    nb = json.loads(Path(fn).read_text())
    before = len(nb['cells'])
    nb['cells'] = [o for c in nb['cells'] for o in (split_cell(c) if c['cell_type'] == 'code' else [c])]
    ids = [c.get('id') for c in nb['cells']]
    if len(ids) != len(set(ids)): raise ValueError(f"{fn}: duplicate cell ids after splitting")
    Path(fn).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return len(nb['cells']) - before

if __name__ == '__main__':
    for f in sys.argv[1:]: print(f"{f}: {split_notebook(f)} cells added")
