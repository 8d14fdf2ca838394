#!/usr/bin/env python3
"""Set-up commands for compvis_kit, needing nothing but Python 3.10+.

    python3 cvk.py main [WORKFLOW] [args...]  # venv + install + data, then a whole workflow (fmnist: default; keypoints, quickdraw, sweep)
    python3 cvk.py test [--flags slow]  # venv + install, then clean/sync checks, docs processing, nbdev-test (with a throwaway PostgreSQL, and Chromium)
    python3 cvk.py readme             # README.md from nbs/index.ipynb (nbdev-readme needs Quarto)
    python3 cvk.py docs               # the docs build up to Quarto: nbs/_quarto.yml, nbdev.yml, sidebar.yml, _proc/ (then: quarto render _proc)
    python3 cvk.py constraints [PYTHON]  # rewrite constraints.txt from the versions installed in .venv (or PYTHON's environment)

`main` and `test` create (or reuse) `.venv/` beside this file and install the package editable with all its extras
(`-e .[all]`), at the exact versions of `constraints.txt`; the install is redone when `pyproject.toml` or
`constraints.txt` changes.
"""
import contextlib, hashlib, os, re, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT/'.venv'
CONSTRAINTS = ROOT/'constraints.txt'
FMNIST_DIRS = [os.environ.get('CVK_FMNIST', ''), '/usr/share/datasets/fashion-mnist']
FMNIST_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']

def say(msg): print(f'[cvk] {msg}', flush=True)
def vbin(name): return VENV/'bin'/name

def sh(cmd, check=True, **kw):
    "Run `cmd` (a list) from the repo root, streaming its output."
    r = subprocess.run([str(c) for c in cmd], cwd=kw.pop('cwd', ROOT), **kw)
    if check and r.returncode: sys.exit(f'[cvk] failed ({r.returncode}): {" ".join(map(str, cmd))}')
    return r

def install_stamp():
    "What the installed `.venv` was made from: a hash of pyproject.toml and constraints.txt."
    return hashlib.sha256(b''.join(f.read_bytes() for f in (ROOT/'pyproject.toml', CONSTRAINTS))).hexdigest()

def ensure_venv():
    "Create `.venv` if needed and (re)install the package with all its extras when pyproject.toml or constraints.txt changed."
    if not vbin('python').exists():
        say(f'creating virtual environment in {VENV}')
        sh([sys.executable, '-m', 'venv', VENV])
    stamp = VENV/'.cvk-stamp'
    want = install_stamp()
    if stamp.exists() and stamp.read_text() == want and vbin('nbdev-test').exists(): return
    say('installing compvis_kit (editable, all extras) at the versions of constraints.txt; the first time takes a few minutes')
    t = time.time()
    sh([vbin('python'), '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-e', '.[all]', '-c', CONSTRAINTS])
    stamp.write_text(want)
    say(f'installed in {time.time()-t:.0f}s')

def fmnist_dir():
    for d in FMNIST_DIRS:
        if d and all((Path(d)/f).exists() for f in FMNIST_FILES): return Path(d)

def ensure_data():
    "Find Fashion-MNIST's training files, installing the Debian package when we can."
    d = fmnist_dir()
    if d: return d
    apt = shutil.which('apt-get')
    if apt and os.geteuid() == 0:
        say('installing the Debian package dataset-fashion-mnist')
        r = sh([apt, 'install', '-y', '-q', 'dataset-fashion-mnist'], check=False, stdout=subprocess.DEVNULL)
        if r.returncode:
            sh([apt, 'update', '-q'], check=False, stdout=subprocess.DEVNULL)
            sh([apt, 'install', '-y', '-q', 'dataset-fashion-mnist'], check=False, stdout=subprocess.DEVNULL)
        d = fmnist_dir()
        if d: return d
    sys.exit('[cvk] Fashion-MNIST not found. Install it with `sudo apt-get install dataset-fashion-mnist` '
             '(Debian/Ubuntu), or set CVK_FMNIST to a folder holding ' + ' and '.join(FMNIST_FILES) + '.')

def ensure_chromium():
    "Debian's chromium for the sweep page's browser test: installed when missing and we are root with apt-get."
    if any(shutil.which(n) for n in ('chromium', 'chromium-browser', 'google-chrome')): return
    sys.path.insert(0, str(ROOT/'tools'))
    from pg_server import apt_install                   # the apt-get routine the PostgreSQL server's install uses
    if not apt_install('chromium'): say('no Chromium: the browser test of the sweep page will say it is skipped')

def main(args):
    ensure_venv()
    os.environ['CVK_FMNIST'] = str(ensure_data())
    sys.exit(sh([vbin('cvk-main'), *args], check=False).returncode)

# ---- constraints ----
CLOSURE = r'''
import sys, json
from importlib.metadata import distribution, PackageNotFoundError
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
try: import tomllib
except ImportError: import tomli as tomllib
proj = tomllib.load(open(sys.argv[1], 'rb'))['project']
todo = [*proj['dependencies'], *(r for rs in proj.get('optional-dependencies', {}).values() for r in rs)]
own, pins, seen, missing = canonicalize_name(proj['name']), {}, set(), []
while todo:
    r = Requirement(todo.pop())
    key = canonicalize_name(r.name)
    if key == own or (key, *sorted(r.extras)) in seen: continue       # `all` names the kit's own extras, listed already
    seen.add((key, *sorted(r.extras)))
    try: d = distribution(r.name)
    except PackageNotFoundError: missing.append(str(r)); continue
    pins[key] = (d.metadata['Name'], d.version)
    todo += [q for q in d.requires or [] if not Requirement(q).marker or any(Requirement(q).marker.evaluate({'extra': e}) for e in r.extras or {''})]
if missing: sys.exit(f'not installed: {missing}')
print(json.dumps(sorted(pins.values(), key=lambda p: p[0].lower())))
'''

def constraints(args):
    "Write constraints.txt: the installed version of every package that pyproject.toml's dependencies and extras need."
    import json
    py = args[0] if args else vbin('python')
    r = subprocess.run([str(py), '-c', CLOSURE, str(ROOT/'pyproject.toml')], capture_output=True, text=True)
    if r.returncode: sys.exit(f'[cvk] could not read the installed versions with {py}:\n{r.stderr.strip()}')
    pins = json.loads(r.stdout)
    head = ['# The exact versions the test suite runs against (python3 cvk.py test installs `-e .[all] -c constraints.txt`).',
            '# pyproject.toml holds ranges, so that `pip install compvis-kit` keeps a notebook\'s own torch; pin with this file:',
            '#   pip install "compvis-kit[all]" -c constraints.txt',
            '# Rewritten by `python3 cvk.py constraints` from the versions installed in .venv (every package the',
            '# dependencies and extras need, transitively).']
    CONSTRAINTS.write_text('\n'.join(head + [f'{n}=={v}' for n, v in pins]) + '\n')
    say(f'wrote {CONSTRAINTS.name}: {len(pins)} packages')

# ---- README ----
def render_readme():
    "README.md text from nbs/index.ipynb: markdown cells as they are, code cells (not `#| hide`) in python fences."
    import json
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    parts = ['<!-- generated from nbs/index.ipynb by `python3 cvk.py readme`: edit the notebook, not this file -->']
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': parts.append(src)
        elif c['cell_type'] == 'code':
            lines = src.splitlines()
            if any(l.strip() in ('#| hide', '#|hide') for l in lines): continue
            code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
            if code: parts.append(f'```python\n{code}\n```')
    return '\n\n'.join(parts) + '\n'

def readme(args):
    (ROOT/'README.md').write_text(render_readme())
    say('wrote README.md')

# ---- test ----
def git_dirty(*paths, untracked=False):
    r = subprocess.run(['git', 'status', '--porcelain', *(['--untracked-files=all'] if untracked else []), '--', *paths],
                       cwd=ROOT, capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None

PHASE2 = r'^3\d_'   # ensemble notebooks read the runs that the per-architecture notebooks write: they run second

def phase_notebooks(second):
    "The notebooks nbdev-test runs in phase 1 (`second` False) or 2: nbdev's own rule skips names starting with _ or ."
    nbs = ROOT/'nbs'
    fs = [f for f in nbs.rglob('*.ipynb') if not any(p.startswith(('_', '.')) for p in f.relative_to(nbs).parts)]
    return sorted(f for f in fs if bool(re.match(PHASE2, f.name)) == second)

def nbdev_test(extra, second):
    "Run one `nbdev-test` phase; return (passed, failed names), counted from the notebooks, not from interleaved output."
    total = len(phase_notebooks(second))
    sel = ['--file-re', PHASE2] if second else ['--skip-file-re', r'^(3\d_|[_.])']
    r = subprocess.run([str(c) for c in [vbin('nbdev-test'), '--do-print', *extra, *sel]], cwd=ROOT, capture_output=True, text=True)
    sys.stdout.write(r.stdout); sys.stderr.write(r.stderr)
    failed = re.findall(r'^\t(\S.*\.ipynb)$', r.stderr.split('Failed On The Following Notebooks:')[-1], re.M) \
        if 'Failed On The Following' in r.stderr else []
    if r.returncode and not failed: failed = [f'nbdev-test exited {r.returncode}']
    return total - len([f for f in failed if f.endswith('.ipynb')]), failed

@contextlib.contextmanager
def postgres():
    "A temporary PostgreSQL server on 127.0.0.1 (tools/pg_server.py) with $CVK_PG_URL set, unless one is given; if none starts, say so."
    if os.environ.get('CVK_PG_URL'): yield; return
    sys.path.insert(0, str(ROOT/'tools'))
    from pg_server import pg_server
    try: ctx = pg_server(install=True); url = ctx.__enter__()
    except RuntimeError as e:
        say(f'no PostgreSQL server could be started ({e}): the PostgreSQL tests will say they are skipped')
        yield; return
    say(f'PostgreSQL server for the tests: {url}')
    os.environ['CVK_PG_URL'] = url
    try: yield
    finally:
        del os.environ['CVK_PG_URL']
        ctx.__exit__(None, None, None)

DOCS_PREP = """
import os
from nbdev.config import get_config
from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
from nbdev.serve import proc_nbs
import nbdev.doclinks
cfg = get_config(); os.chdir(cfg.config_path)
refresh_quarto_yml(); nbdev.doclinks._build_modidx(); nbdev_sidebar.__wrapped__(path=cfg.nbs_path)
proc_nbs(cfg.nbs_path, n_workers=2)
"""

def docs_prep():
    "nbdev-docs' steps before Quarto (nbdev.quarto._pre_docs without installing Quarto): _quarto.yml, nbdev.yml, the sidebar, processed notebooks."
    return sh([vbin('python'), '-c', DOCS_PREP], check=False)

def docs(args):
    ensure_venv()
    sys.exit(docs_prep().returncode)

def test(args):
    ensure_venv()
    os.environ['CVK_FMNIST'] = str(ensure_data())
    ensure_chromium()
    failed, passed, t0 = [], 0, time.time()
    in_git = git_dirty() is not None
    say('check 1/5: notebooks are clean (nbdev-clean leaves no diff)')
    before = git_dirty('nbs') if in_git else None
    sh([vbin('nbdev-clean')])
    if in_git and git_dirty('nbs') != before: failed.append('nbdev-clean changed notebooks: run nbdev-clean and commit')
    say('check 2/5: library in sync with notebooks (nbdev-export leaves no diff)')
    before = git_dirty('compvis_kit') if in_git else None
    sh([vbin('nbdev-export')])
    if in_git and git_dirty('compvis_kit') != before: failed.append('nbdev-export changed compvis_kit/: export and commit')
    say('check 3/5: README.md is nbs/index.ipynb rendered (python3 cvk.py readme)')
    if (ROOT/'README.md').read_text() != render_readme(): failed.append('README.md is out of date: run python3 cvk.py readme and commit')
    say('check 4/5: the docs build up to Quarto (what nbdev-docs runs first), leaving no file changed or untracked')
    before = git_dirty('nbs', untracked=True) if in_git else None
    if docs_prep().returncode: failed.append('docs preparation failed')
    if in_git and git_dirty('nbs', untracked=True) != before:
        failed.append('the docs preparation changed or added files under nbs/: run python3 cvk.py docs and commit')
    say('check 5/5: cell sizes and line lengths (tools/cell_stats.py: median <= 8 lines, <= 15% multi-definition cells, '
        'no line of compvis_kit/ over 120 characters)')
    if sh([sys.executable, ROOT/'tools'/'cell_stats.py', '--check'], check=False).returncode:
        failed.append('tools/cell_stats.py: a target is missed (see above)')
    for f in failed: say(f'FAILED: {f}')
    flags = args
    with postgres():                    # a throwaway server for the sweep tests ($CVK_PG_URL), installed when missing
        say('nbdev-test, phase 1: library and per-architecture notebooks')
        p, f = nbdev_test(flags, second=False)
        passed += p; failed += f
        say('nbdev-test, phase 2: ensemble/predict notebooks')
        p, f = nbdev_test(flags, second=True)
        passed += p; failed += f
    say(f'finished in {time.time()-t0:.0f}s' + ''.join(f'\n  failed: {x}' for x in failed))
    print(f'{passed} passed, {len(failed)} failed', flush=True)
    sys.exit(1 if failed else 0)

if __name__ == '__main__':
    cmds = dict(main=main, test=test, readme=readme, constraints=constraints, docs=docs)
    if len(sys.argv) < 2 or sys.argv[1] not in cmds: sys.exit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])
