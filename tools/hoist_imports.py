#!/usr/bin/env python3
"""Move the top-level imports of test cells into the notebook's first test-import cell.

    python3 tools/hoist_imports.py NOTEBOOK [...]

nbdev's docs build executes every cell that holds an import (besides export cells), so a test cell that imports
something and then uses names from cells the docs build skips fails there (NameError). Imports at the top level of
such a cell move to the first non-export cell that imports `fastcore.test`; the rest of the cell stays. Review the
diff: an import placed after the notebook's own definitions on purpose (to reach the module's objects rather than the
notebook's copies) must stay where it was, as 02_data's does."""
import ast, json, sys
from pathlib import Path

def _lines(c): return ''.join(c['source']).split('\n')
def _set(c, lines): c['source'] = [l + '\n' for l in lines[:-1]] + lines[-1:]

def hoist(fn) -> int:
    nb = json.loads(Path(fn).read_text())
    code = [c for c in nb['cells'] if c['cell_type'] == 'code']
    home = next((c for c in code if 'fastcore.test import' in ''.join(c['source']) and '#| export' not in ''.join(c['source'])), None)
    if home is None: return 0
    moved = []
    for c in code:
        if c is home: continue
        lines = _lines(c)
        if any(l.startswith('#|') and any(d in l for d in ('export', 'eval: false')) for l in lines): continue
        try: tree = ast.parse('\n'.join(lines))
        except SyntaxError: continue
        if all(isinstance(o, (ast.Import, ast.ImportFrom)) for o in tree.body): continue       # an import cell: fine
        imps = [o for o in tree.body if isinstance(o, (ast.Import, ast.ImportFrom))]
        if not imps: continue
        drop = {i for o in imps for i in range(o.lineno - 1, o.end_lineno)}
        moved += ['\n'.join(lines[o.lineno - 1:o.end_lineno]) for o in imps]
        _set(c, [l for i, l in enumerate(lines) if i not in drop])
    if moved:
        have = _lines(home)
        _set(home, have + [m for m in dict.fromkeys(moved) if m not in have])
        Path(fn).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return len(moved)

if __name__ == '__main__':
    for f in sys.argv[1:]: print(f"{f}: {hoist(f)} import(s) moved")
