"""PostgreSQL restarted under load: failing requests get a clean error page and the app recovers by itself.

    .venv/bin/python bench/faults/pg_restart.py [--duration 20] [--restart-at 6] [--keep-db]

1. Creates the database ``tessera_faults`` (dropped first), migrates it and runs ``seed_demo``.
2. Starts gunicorn (2 sync workers) with production settings: DEBUG off, CONN_MAX_AGE 60 and
   CONN_HEALTH_CHECKS on (tessera/settings.py), and logs the demo manager in through the login form.
3. Four client threads request the manager's ticket list (/tickets/, several queries per request) as fast
   as they can for ``--duration`` seconds; at ``--restart-at`` seconds it runs
   ``pg_ctlcluster --skip-systemctl-redirect 15 main restart`` (the machine's PostgreSQL: everyone's
   connections are cut for a few seconds; run it only when nobody else needs the server).
4. Prints per half second the status codes seen, and checks: no error response shows a traceback or
   settings (DEBUG is off), the gunicorn workers are the same processes before and after (no restart),
   and the last seconds are all 200 (the app reconnected by itself). Exit code 1 if a check fails.

Needs: root (or the postgres user) for pg_ctlcluster, PostgreSQL 15 cluster "main" on 127.0.0.1:5432 with
trust auth for user postgres. Its output is in docs/faults.md.
"""

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LEAK_MARKERS = ("Traceback", "OperationalError", "psycopg", "File \"/", "DATABASES", "SECRET_KEY")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(args) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "DJANGO_SETTINGS_MODULE": "tessera.settings",
        "TESSERA_DEBUG": "false",
        "TESSERA_SECRET_KEY": args.secret,
        "TESSERA_ALLOWED_HOSTS": "127.0.0.1",
        "TESSERA_SECURE_COOKIES": "false",
        "TESSERA_SSL_REDIRECT": "false",
        "TESSERA_SITE_URL": f"http://127.0.0.1:{args.port}",
    })
    return env


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", sql], check=True)


def manage(args, *command: str) -> None:
    result = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env_for(args),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode:
        print(result.stdout)
        raise SystemExit(f"manage.py {' '.join(command)} failed")


def request(args, method, path, cookies=None, form=None, timeout=15):
    conn = HTTPConnection("127.0.0.1", args.port, timeout=timeout)
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{args.port}{path}"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        set_cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                set_cookies[key] = rest.split(";", 1)[0]
        return response.status, set_cookies, text
    finally:
        conn.close()


def log_in(args, email: str, password: str) -> dict:
    status, cookies, body = request(args, "GET", "/accounts/login/")
    token = CSRF_FIELD.search(body).group(1)
    form = {"csrfmiddlewaretoken": token, "username": email, "password": password, "next": ""}
    status, set_cookies, _ = request(args, "POST", "/accounts/login/", cookies, form)
    if status != 302 or "sessionid" not in set_cookies:
        raise SystemExit(f"Logging in as {email} failed ({status})")
    return {**cookies, **set_cookies}


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return sorted(int(pid) for pid in out.split())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="tessera_faults")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--restart-at", type=float, default=6)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--path", default="/tickets/")
    parser.add_argument("--no-restart", action="store_true", help="a dry run of the load alone")
    args = parser.parse_args()
    args.port = free_port()
    args.secret = secrets.token_urlsafe(50)

    from tessera.demo.catalog import DEMO_PASSWORD  # noqa: PLC0415 - after argparse, for --help

    log(f"Creating and seeding {args.db}")
    psql(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
    psql(f"CREATE DATABASE {args.db}")
    manage(args, "migrate", "--noinput", "-v", "0")
    manage(args, "seed_demo")
    manage(args, "collectstatic", "--no-input", "-v", "0")  # production pages name the hashed static files

    gunicorn_log = open(Path(tempfile.gettempdir()) / "pg_restart.gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "tessera.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{args.port}",
         "--timeout", "60", "--error-logfile", "-"],
        cwd=ROOT, env=env_for(args), stdout=gunicorn_log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    failed: list[str] = []
    try:
        for _ in range(120):
            try:
                if request(args, "GET", "/accounts/login/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not start")
        cookies = log_in(args, "manager@praxis-rossi.example", DEMO_PASSWORD)
        assert request(args, "GET", args.path, cookies)[0] == 200, f"{args.path} is not 200 before the fault"
        pids_before = worker_pids(server.pid)
        log(f"gunicorn master {server.pid}, workers {pids_before}; load on {args.path} with {args.threads} threads")

        results: list[tuple[float, str]] = []
        error_bodies: dict[str, str] = {}
        leaks: list[str] = []
        lock = threading.Lock()
        start = time.monotonic()
        stop = threading.Event()

        def client():
            while not stop.is_set():
                t = time.monotonic() - start
                try:
                    status, _, body = request(args, "GET", args.path, cookies)
                    outcome = str(status)
                    if status >= 500:
                        error_bodies.setdefault(outcome, body)
                        found = [m for m in LEAK_MARKERS if m in body]
                        if found:
                            with lock:
                                leaks.append(f"{status} at {t:.2f}s shows {found}")
                except OSError as error:
                    outcome = f"socket:{type(error).__name__}"
                with lock:
                    results.append((t, outcome))

        threads = [threading.Thread(target=client, daemon=True) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        time.sleep(args.restart_at)
        log("Restarting PostgreSQL: pg_ctlcluster --skip-systemctl-redirect 15 main restart")
        t0 = time.monotonic()
        if not args.no_restart:
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"], check=True)
        restart_from, restart_to = t0 - start, time.monotonic() - start
        log(f"PostgreSQL back after {restart_to - restart_from:.2f} s "
            f"(from {restart_from:.2f} s to {restart_to:.2f} s)")
        time.sleep(max(args.duration - (time.monotonic() - start), 0))
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        pids_after = worker_pids(server.pid)

        buckets: dict[int, Counter] = defaultdict(Counter)
        for t, outcome in results:
            buckets[int(t * 2)][outcome] += 1
        print("\n  time (s)      responses")
        for bucket in sorted(buckets):
            marker = "  <- restart" if bucket / 2 <= restart_to and restart_from < bucket / 2 + 0.5 else ""
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(buckets[bucket].items()))
            print(f"  {bucket / 2:5.1f}-{bucket / 2 + 0.5:<5.1f}  {counts}{marker}")
        total = Counter(outcome for _, outcome in results)
        errors = [(t, o) for t, o in results if o != "200"]
        print(f"\n  total: {dict(total)}")
        if errors:
            print(f"  non-200 from {errors[0][0]:.2f} s to {errors[-1][0]:.2f} s "
                  f"(PostgreSQL down {restart_from:.2f}-{restart_to:.2f} s)")
            last_error = errors[-1][0]
            print(f"  first 200 after the last error: "
                  f"{next((t for t, o in results if t > last_error and o == '200'), float('nan')):.2f} s")
        for status, body in error_bodies.items():
            print(f"  body of a {status}: {body.strip()[:300]!r}")
        print(f"  gunicorn workers before {pids_before}, after {pids_after}")

        tail = [o for t, o in results if t > args.duration - 3]
        if leaks:
            failed.append(f"error pages leak details: {leaks[:5]}")
        if pids_before != pids_after:
            failed.append("gunicorn workers were replaced")
        if not tail or any(o != "200" for o in tail):
            failed.append(f"not recovered: last 3 s {Counter(tail)}")
        if any(o.startswith("socket:") for _, o in results):
            failed.append("some requests got no HTTP response at all")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        gunicorn_log.close()
        if not args.keep_db:
            psql(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
    if args.no_restart:
        print("\n(dry run: PostgreSQL was not restarted)")
    print("\nRESULT: " + ("FAIL: " + "; ".join(failed) if failed else
                          "PASS: clean error pages while PostgreSQL was down, recovered without a restart"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")
    import django

    django.setup()
    sys.exit(main())
