#!/usr/bin/env python3
"""A throwaway PostgreSQL server on 127.0.0.1 for a test run (standard library only: it runs before the venv exists).

    python3 tools/pg_server.py CMD [ARGS...]   # start a server, run CMD with $CVK_PG_URL set to it, stop the server

Finds PostgreSQL's binaries (PATH, then /usr/lib/postgresql/<version>/bin); when they are missing and we are root,
installs the Debian package `postgresql` with apt-get. The cluster lives in a temporary folder, listens on a free
loopback port (no Unix socket outside that folder), trusts local connections, and is deleted afterwards. As root the
server runs as the `postgres` user (PostgreSQL refuses to run as root). When no server can be started, CMD still runs,
without $CVK_PG_URL, and the reason is printed: the PostgreSQL tests then say that they are skipped.
"""
import contextlib, glob, os, shutil, socket, subprocess, sys, tempfile, time
from pathlib import Path

def say(msg): print(f'[pg] {msg}', file=sys.stderr, flush=True)

def pg_bindir():
    "The folder holding `initdb` and `pg_ctl`, or None."
    cands = [os.environ.get('CVK_PG_BIN', '')] + sorted(glob.glob('/usr/lib/postgresql/*/bin'), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0, reverse=True)
    w = shutil.which('initdb')
    if w: cands.insert(1, str(Path(w).resolve().parent))
    for d in cands:
        if d and (Path(d)/'initdb').exists() and (Path(d)/'pg_ctl').exists(): return Path(d)

def apt_install(package) -> bool:
    "Install the Debian package `package` when we are root and have apt-get (updating the lists if the first try fails)."
    apt = shutil.which('apt-get')
    if not (apt and os.geteuid() == 0): return False
    print(f'[apt] installing the Debian package {package}', file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    for cmd in ([apt, 'install', '-y', '-q', package], [apt, 'update', '-q'], [apt, 'install', '-y', '-q', package]):
        r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode == 0 and 'install' in cmd: return True
    print(f'[apt] apt-get failed: {r.stderr.strip()[-300:]}', file=sys.stderr, flush=True)
    return False

def install_postgres():
    "Install the Debian package `postgresql` when we are root and have apt-get; True if binaries are there afterwards."
    return apt_install('postgresql') and bool(pg_bindir())

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _as_user(cmd, user):
    "Run `cmd` as `user` (root only), else as ourselves."
    if user is None: return cmd
    runuser = shutil.which('runuser')
    return [runuser, '-u', user, '--', *cmd] if runuser else ['su', user, '-s', '/bin/sh', '-c', ' '.join(map(str, cmd))]

def _run(cmd, user):
    r = subprocess.run(_as_user([str(c) for c in cmd], user), capture_output=True, text=True)
    if r.returncode: raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({r.returncode}): {(r.stderr or r.stdout).strip()[-500:]}")
    return r

@contextlib.contextmanager
def pg_server(install=False, user='postgres'):
    "Start a temporary PostgreSQL server on 127.0.0.1; yield its SQLAlchemy URL (psycopg 3 driver); stop and delete it after."
    bindir = pg_bindir() or (install and install_postgres() and pg_bindir())
    if not bindir: raise RuntimeError('PostgreSQL binaries (initdb, pg_ctl) not found: install the Debian package postgresql')
    run_as = None
    if os.geteuid() == 0:
        import pwd
        try: pw = pwd.getpwnam(user)
        except KeyError: raise RuntimeError(f"running as root and there is no user {user!r} to run PostgreSQL as") from None
        run_as = user
    tmp = Path(tempfile.mkdtemp(prefix='cvk-pg-'))
    data, port, started = tmp/'data', free_port(), False
    try:
        if run_as: os.chown(tmp, pw.pw_uid, pw.pw_gid)
        _run([bindir/'initdb', '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], run_as)
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={tmp} -c fsync=off -c max_connections=200"
        _run([bindir/'pg_ctl', '-D', data, '-o', opts, '-l', tmp/'server.log', '-w', '-t', '60', 'start'], run_as)
        started = True
        yield f'postgresql+psycopg://postgres@127.0.0.1:{port}/postgres'
    finally:
        if started:
            try: _run([bindir/'pg_ctl', '-D', data, '-m', 'fast', '-w', 'stop'], run_as)
            except RuntimeError as e: say(f'stopping the server: {e}')
        shutil.rmtree(tmp, ignore_errors=True)

def main(argv):
    if not argv: sys.exit(__doc__)
    try:
        with pg_server(install=True) as url:
            say(f'PostgreSQL server for this run: {url} (CVK_PG_URL)')
            sys.exit(subprocess.run(argv, env=dict(os.environ, CVK_PG_URL=url)).returncode)
    except RuntimeError as e:
        say(f'no PostgreSQL server could be started ({e}): the PostgreSQL tests will be skipped')
        sys.exit(subprocess.run(argv).returncode)

if __name__ == '__main__': main(sys.argv[1:])
