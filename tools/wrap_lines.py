#!/usr/bin/env python3
"""Wrap the lines of notebooks' export cells that exceed `--width` (default 120) without changing the code, by the
first of these that applies to a long line, again until none does:
1. a trailing comment moves above its statement (inside brackets: above its line, where docments still reads a
   parameter's comment);
2. a one-line compound statement (`if x: y`, `def f(): y`) gets its body on a line of its own;
3. a break after a comma inside brackets (the shallowest that fits; not between a lambda's parameters), else before
   an operator or keyword inside brackets, the rest aligned with the bracket (a hanging indent when that is far
   right); else parentheses round what follows `=`, `return` or `import`, so that the next pass can break inside;
4. a long string inside brackets (or a lone docstring, then put in parentheses) split at a space into adjacent
   literals.
A cell is rewritten only when its syntax tree is unchanged (`ast.dump`); lines it cannot wrap are listed.

    python3 tools/wrap_lines.py nbs/*.ipynb nbs/*/*.ipynb [--width 120] [--check]
"""
import argparse, ast, io, json, re, sys, textwrap, tokenize
from pathlib import Path

def tokens(src):
    "(token, stack of open-bracket end columns at it) for the cell `src`, or None if it does not tokenize."
    try: toks = list(tokenize.generate_tokens(io.StringIO(src + '\n').readline))
    except (tokenize.TokenError, IndentationError, SyntaxError): return None
    out, stack = [], []
    for t in toks:
        if t.type == tokenize.OP and t.string in ')]}' and stack: stack.pop()
        out.append((t, tuple(stack)))
        if t.type == tokenize.OP and t.string in '([{': stack.append(t.end[1])
    return out

COMPOUND = {'def', 'if', 'elif', 'else', 'for', 'while', 'with', 'try', 'except', 'finally', 'class'}

OPS = {'+', '-', '*', '/', '//', '%', '|', '&', '==', '!=', '<', '>', '<=', '>=', '**', ':='}
KWS = {'and', 'or', 'if', 'else', 'for', 'in', 'not'}

def _closes_at_end(s) -> bool:
    "Whether the bracket opening `s` is closed by its last character."
    d = 0
    for i, ch in enumerate(s):
        if ch in '([{': d += 1
        elif ch in ')]}':
            d -= 1
            if d == 0: return i == len(s) - 1
    return False

def fix(lines, i, toks, width):
    "Lines `i` of `lines` replaced by a shorter form, or None."
    line, row = lines[i], i + 1
    skip = (tokenize.NL, tokenize.NEWLINE, tokenize.DEDENT, tokenize.INDENT)
    on = [(t, st) for t, st in toks if t.start[0] == row and t.type not in skip]
    if not on: return None
    first = on[0]
    # 1. a trailing comment on a line that starts a statement (not inside brackets: docments comments stay put)
    t, st = on[-1]
    if t.type == tokenize.COMMENT and len(on) > 1 and not first[1] and on[-2][0].string not in (',', '(', '[', '{'):
        ind = re.match(r'\s*', line)[0]
        return [ind + t.string, line[:t.start[1]].rstrip()]
    # 1b. inside brackets (a parameter's docments comment, an argument's note): the comment on lines of its own above,
    # which docments reads as the parameter's when the parameter's line has none
    if t.type == tokenize.COMMENT and len(on) > 1 and first[1]:
        ind = ' ' * first[0].start[1]
        text = t.string.lstrip('#').strip()
        return [ind + '# ' + l for l in textwrap.wrap(text, width - len(ind) - 2)] + [line[:t.start[1]].rstrip()]
    # 2. a one-line compound statement (`if x: y`, `def f(): y`): the body on a line of its own
    kw = first[0].string
    if first[0].type == tokenize.NAME and kw in COMPOUND and not first[1]:
        for t, st in on[1:]:
            if t.type == tokenize.NAME and t.string == 'lambda' and not st: break
            if t.type == tokenize.OP and t.string == ':' and not st:
                body = line[t.end[1]:].strip()
                if body and not body.startswith('#'):
                    ind = re.match(r'\s*', line)[0]
                    return [line[:t.end[1]], ind + '    ' + body]
                break
    # 3. a comma inside brackets: at the shallowest depth possible, the last that keeps the head within width
    best, lam = None, set()                      # lam: depths at which a lambda's parameters are being read
    for t, st in on:
        if t.type == tokenize.NAME and t.string == 'lambda': lam.add(len(st))
        elif t.type == tokenize.OP and t.string == ':' and len(st) in lam: lam.discard(len(st))
        elif t.type == tokenize.OP and t.string == ',' and st and len(st) not in lam and t.end[1] <= width \
           and line[t.end[1]:].strip() and not line[t.end[1]:].strip().startswith('#'):
            if best is None or len(st) <= len(best[2]): best = (t.end[1], st[-1], st)
    if best and best[1] < best[0]:
        cut, col, st = best
        ind = len(re.match(r'\s*', line)[0])
        if col > 72 and col - 1 > ind + 8 and line[col - 1] in '([{':                  # far right: a hanging indent
            return [line[:col], ' ' * (ind + 8) + line[col:].lstrip()]
        return [line[:cut].rstrip(), ' ' * col + line[cut:].lstrip()]
    # 3b. no comma: before an operator or keyword inside brackets (any token boundary there may break)
    best = None
    for t, st in on:
        if st and t.start[1] <= width and t.start[1] > st[-1] + 10 and line[:t.start[1]].strip() and (
           (t.type == tokenize.OP and t.string in OPS) or (t.type == tokenize.NAME and t.string in KWS)) \
           and line[t.start[1] - 1] == ' ':
            if best is None or len(st) <= len(best[2]): best = (t.start[1], st[-1], st)
    if best:
        cut, col, st = best
        return [line[:cut].rstrip(), ' ' * col + line[cut:].lstrip()]
    # 3c. nothing to break at depth 0: put parentheses round what follows `=`, `return`, `import`
    if not first[1] and not any(t.type == tokenize.STRING and t.end[1] > width and not st for t, st in on[1:2]):
        open_at = None
        if first[0].string in ('return', 'yield', 'import'): open_at = first[0].end[1]
        if first[0].string == 'from':
            open_at = next((t.end[1] for t, st in on if t.string == 'import'), None)
        for t, st in on:
            if open_at is None and t.type == tokenize.OP and t.string in ('=', '+=', '|=') and not st:
                open_at = t.end[1]
        end = on[-1][0]
        close_at = (on[-2][0] if end.type == tokenize.COMMENT and len(on) > 1 else end).end[1]
        rest = line[open_at:close_at].strip() if open_at else ''
        if rest and not (rest[0] in '([{' and _closes_at_end(rest)) and not rest.endswith(':'):
            return [line[:open_at] + ' (' + rest + ')' + line[close_at:]]
    # 4. a long string: split at a space (inside brackets; a lone string statement gets parentheses)
    for t, st in on:
        if t.type != tokenize.STRING or t.end[0] != row or t.end[1] <= width or t.start[1] > width - 30: continue
        m = re.fullmatch(r'([rRbBfFuU]{0,2})(["\'])(.*)\2', t.string, re.S)
        if not m: continue
        pre, q, body = m[1], m[2], m[3]
        alone = not st and t is first[0] and line[t.end[1]:].strip() == ''
        if not st and not alone: continue
        start = t.start[1] + (1 if alone else 0)
        limit = width - start - len(pre) - 2
        ok, depth = [], 0
        for k, ch in enumerate(body):
            if 'f' in pre.lower() and ch in '{}': depth += 1 if ch == '{' else -1
            elif ch == ' ' and depth == 0 and 10 < k < limit and body[k - 1] != '\\': ok.append(k)
        if not ok: continue
        k = ok[-1] + 1
        plain = lambda part: pre.replace('f', '').replace('F', '') if '{' not in part else pre   # no f without a {}
        a, b = f'{plain(body[:k])}{q}{body[:k]}{q}', f'{plain(body[k:])}{q}{body[k:]}{q}'
        if alone: return [line[:t.start[1]] + '(' + a, ' ' * start + b + ')' + line[t.end[1]:]]
        return [line[:t.start[1]] + a, ' ' * t.start[1] + b + line[t.end[1]:]]
    return None

def wrap_cell(src, width):
    "The cell source with its long lines wrapped, and the lines left too long."
    lines, stuck = src.split('\n'), set()
    for _ in range(200):
        long = [i for i, l in enumerate(lines) if len(l) > width and not l.lstrip().startswith('#') and i not in stuck]
        toks = tokens('\n'.join(lines))
        if not long or toks is None: break
        r = fix(lines, long[0], toks, width)
        if r is None: stuck.add(long[0]); continue
        lines[long[0]:long[0] + 1] = r
        stuck = {j + (len(r) - 1 if j > long[0] else 0) for j in stuck}
    return '\n'.join(lines), [l for l in lines if len(l) > width and not l.lstrip().startswith('#|')]

def _tree(src):
    return ast.dump(ast.parse('\n'.join(l for l in src.split('\n') if not l.startswith('#|'))))

def main(paths, width=120, check=False):
    left, n = [], 0
    for p in paths:
        nb = json.loads(Path(p).read_text()); dirty = False
        for c in nb['cells']:
            s = ''.join(c['source'])
            if c['cell_type'] != 'code' or not re.match(r'#\|\s*export', s): continue
            if all(len(l) <= width for l in s.split('\n')): continue
            new, long = wrap_cell(s, width)
            if new != s:
                try: same = _tree(new) == _tree(s)
                except SyntaxError: same = False
                if same:
                    n += 1; dirty = True
                    ls = new.split('\n'); c['source'] = [l + '\n' for l in ls[:-1]] + ls[-1:]
                else:
                    long = [l for l in s.split('\n') if len(l) > width]
                    print(f'{p} {c.get("id")}: not wrapped (the tree changed)')
            left += [(p, c.get('id'), l) for l in long]
        if dirty and not check: Path(p).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    for p, cid, l in left: print(f'{p} {cid}: {len(l)}: {l.strip()[:100]}')
    print(f'{n} cells wrapped, {len(left)} lines left over {width} characters', file=sys.stderr)
    return left

if __name__ == '__main__':
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument('paths', nargs='+'); a.add_argument('--width', type=int, default=120)
    a.add_argument('--check', action='store_true', help='change nothing; exit 1 if any line is too long')
    o = a.parse_args()
    sys.exit(1 if main(o.paths, o.width, o.check) and o.check else 0)
