"""``make bench``: every main page of Tessera under load, on a million tickets.

1. Creates the PostgreSQL database ``tessera_bench`` (dropped first if it exists),
   migrates it and seeds it: ``seed_demo``, then ``seed_demo --tickets 1000000
   --orgs 2000`` (the first bulk organization, customer code 9000001, holds 5%
   of the tickets; three comments each). The global search's triggers are paused and its
   indexes dropped meanwhile; every ticket's search document is then built in one pass and
   the indexes once. Then VACUUM ANALYZE and CHECKPOINT, the state autovacuum would reach on
   its own, so it does not start mid-run.
2. Looks inside Django once (``bench/probe.py prepare``): the ticket numbers to
   request, the agent's "All open" queue and workspace URLs (a page that does not
   exist yet is "not available"), a valid "Report a problem" form.
3. Starts Tessera under gunicorn with production settings (DEBUG off, 2 sync
   workers, no access log) and logs the customer (a manager of the large
   organization: "Only own" is off for managers) and an agent in through the
   real login form, keeping their session and CSRF cookies.
4. Per page: a fresh gunicorn, a short warm-up, then wrk at 16 connections for
   20 s; the workers' RSS afterwards. The ticket creation is a real urlencoded
   POST with the session cookie, the CSRF cookie and the form's token; only 302
   counts as success, and afterwards SQL checks that every number is unique.
5. The SQL queries each page issues (``bench/probe.py queries``: Django's test
   client with CaptureQueriesContext against the bench database).
6. Prints the table and writes it to ``bench/out/results.md`` (and
   ``results.json``, the query log and EXPLAIN of each page's slowest query).

Options: ``--reuse-db`` keeps an already seeded database, ``--keep-db`` does not
drop it at the end, ``--pages`` runs some pages only, ``--profile`` samples the
workers with py-spy in a second pass (``bench/out/profile-<page>.txt``). The load
generator runs on the same two cores as the server and PostgreSQL.
"""

import argparse
import datetime
import json
import logging
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
BIN = Path(sys.executable).parent
PYTHON = sys.executable

#: A fresh key per run; the server and the probe share it (sessions are signed with it).
SECRET_KEY = secrets.token_urlsafe(50)
CEILING_PATH = "/bench/static/"

# Targets of issue 7.
READ_RATIO = 0.33
READ_P99_MS = 50
SEARCH_P99_MS = 100
CREATE_RPS = 200
RSS_MB = 150


@dataclass
class Page:
    key: str
    label: str
    kind: str  # "ceiling", "read", "search", "create" or "info" (measured, no target)
    login: str | None = None  # "customer" or "agent"
    path: str | None = None  # None: not available
    method: str = "GET"
    form: dict = field(default_factory=dict)
    result: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)  # the server's settings for this page, over bench_env's


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# --- Environment ------------------------------------------------------------------

def bench_env(args, **extra) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.db}",
        "DJANGO_SETTINGS_MODULE": "tessera.settings",
        "TESSERA_DEBUG": "false",
        "TESSERA_SECRET_KEY": SECRET_KEY,
        "TESSERA_ALLOWED_HOSTS": "127.0.0.1",
        # Plain http on loopback: no secure-only cookies, no redirect to https.
        "TESSERA_SECURE_COOKIES": "false",
        "TESSERA_SSL_REDIRECT": "false",
        "TESSERA_SITE_URL": f"http://127.0.0.1:{args.port}",
        "TESSERA_BENCH": "1",
        "TESSERA_LOG_LEVEL": "ERROR",
        # Production names static files by their content's hash: they are collected here first.
        "TESSERA_STATIC_ROOT": str(OUT / "static"),
        "TESSERA_MEDIA_ROOT": str(OUT / "media"),
    })
    env.update(extra)
    return env


def manage(args, *command: str) -> str:
    """Run a management command against the bench database; its output is shown only if it fails."""
    result = subprocess.run(
        [PYTHON, "manage.py", *command], cwd=ROOT, env=bench_env(args), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    if result.returncode:
        print(result.stdout)
        raise SystemExit(f"manage.py {' '.join(command)} failed")
    return result.stdout


def probe(args, *command: str) -> dict:
    # The test client sends Host: testserver.
    env = bench_env(args, TESSERA_ALLOWED_HOSTS="127.0.0.1,testserver")
    result = subprocess.run(
        [PYTHON, str(BENCH / "probe.py"), *command], cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        log("wrk not found: installing Debian's package (apt-get install -y wrk)")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)
        wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    return wrk


def machine() -> dict:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpus": os.cpu_count(), "cpu": model, "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "load_before": os.getloadavg(), "python": platform.python_version(),
        "postgresql": "", "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# --- Database ---------------------------------------------------------------------

def pg(args, dbname: str):
    import psycopg

    return psycopg.connect(
        host=args.pg_host, port=args.pg_port, user=args.pg_user, dbname=dbname, autocommit=True
    )


def create_database(args) -> None:
    with pg(args, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')


def drop_database(args) -> None:
    with pg(args, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


def database_is_seeded(args) -> bool:
    try:
        with pg(args, args.db) as conn:
            return conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0] >= args.tickets
    except Exception:  # noqa: BLE001 - no database, no table: not seeded
        return False


BULK_TABLES = ("tickets_ticket", "tickets_comment", "tickets_ticketevent")
DEFAULTS_BY_TYPE = {
    "character varying": "''", "text": "''", "timestamp with time zone": "now()", "boolean": "false",
    "jsonb": "'{}'",
}


def seed(args) -> None:
    log(f"Creating the database {args.db} and migrating it")
    create_database(args)
    manage(args, "migrate", "--no-input", "-v0")
    manage(args, "seed_demo", "-v0")
    # seed_demo --tickets writes with COPY and names its columns; a NOT NULL column added since
    # (with only a Python-side default) would make COPY fail. Database defaults for the seeding
    # cover them; they are removed again afterwards, so the schema stays the migrated one.
    with pg(args, args.db) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ANY(%s) AND is_nullable = 'NO' AND column_default IS NULL",
            [list(BULK_TABLES)],
        ).fetchall()
        patched = [(t, c, DEFAULTS_BY_TYPE[d]) for t, c, d in columns if d in DEFAULTS_BY_TYPE]
        for table, column, default in patched:
            conn.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT {default}')
    started = time.monotonic()
    search = pause_search_upkeep(args)
    log(f"Seeding {args.tickets:,} tickets over {args.orgs:,} organizations (a few minutes)")
    manage(args, "seed_demo", "--tickets", str(args.tickets), "--orgs", str(args.orgs), "-v0")
    log(f"Tickets written in {time.monotonic() - started:.0f} s")
    resume_search_upkeep(args, search)
    with pg(args, args.db) as conn:
        for table, column, _default in patched:
            conn.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT')
        log("VACUUM ANALYZE and CHECKPOINT")
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    log(f"Database ready in {time.monotonic() - started:.0f} s")


#: The global search's upkeep on PostgreSQL (migration tickets/0017_global_search): a trigger per ticket row
#: builds its search document, one per statement of comments builds it again for their tickets, and three
#: GIN indexes take every row. Row by row that is the seeding's slowest part by far.
SEARCH_TRIGGERS = {
    "tickets_ticket": ("ticket_search_insert", "ticket_search_update"),
    "tickets_comment": ("ticket_search_comment_insert", "ticket_search_comment_update",
                        "ticket_search_comment_delete"),
}
SEARCH_INDEXES = ("ticket_search_vector", "ticket_number_trgm", "ticket_title_trgm")


def pause_search_upkeep(args) -> dict:
    """Before the bulk seeding: the search triggers off and the search indexes dropped; their definitions.

    ``resume_search_upkeep`` then builds every ticket's document with the same function the triggers call,
    in one set-based pass, and the indexes once, as a restore would. Nothing else writes meanwhile: the
    database is the benchmark's own.
    """
    with pg(args, args.db) as conn:
        indexes = dict(conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets_ticket' AND indexname = ANY(%s)",
            [list(SEARCH_INDEXES)],
        ).fetchall())
        if not indexes:
            return {}  # not PostgreSQL's global search (an older schema): nothing to pause
        for table, triggers in SEARCH_TRIGGERS.items():
            for trigger in triggers:
                conn.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
        for name in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        # Room on each page for the row's second version: the update that fills search_vector (indexed by
        # nothing until the end) is then a HOT update that adds no entry to the table's twenty other indexes.
        conn.execute("ALTER TABLE tickets_ticket SET (fillfactor = 50)")
    return indexes


def resume_search_upkeep(args, indexes: dict) -> None:
    """Every ticket's search document (two connections, one per core, over halves of the ids), the indexes."""
    if not indexes:
        return
    started = time.monotonic()
    log("Building the tickets' search documents (tessera_ticket_search_vector, as the triggers do)")
    with pg(args, args.db) as conn:
        low, high = conn.execute("SELECT min(id), max(id) FROM tickets_ticket").fetchone()
    middle = (low + high) // 2

    def fill(first: int, last: int) -> None:
        with pg(args, args.db) as conn:
            conn.execute("SET synchronous_commit TO OFF")
            conn.execute(
                "UPDATE tickets_ticket t SET search_vector = tessera_ticket_search_vector("
                "t.id, t.number, t.title, t.description, t.organization_id, t.created_by_id) "
                "WHERE t.id BETWEEN %s AND %s", [first, last],
            )

    threads = [threading.Thread(target=fill, args=span) for span in ((low, middle), (middle + 1, high))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with pg(args, args.db) as conn:
        conn.execute("ALTER TABLE tickets_ticket RESET (fillfactor)")
        missing = conn.execute("SELECT count(*) FROM tickets_ticket WHERE search_vector IS NULL").fetchone()[0]
    if missing:
        raise SystemExit(f"{missing} tickets have no search document")
    log(f"  documents in {time.monotonic() - started:.0f} s; VACUUM, then the search indexes")
    with pg(args, args.db) as conn:
        conn.execute("VACUUM tickets_ticket")  # the update left a dead version of every row
    started = time.monotonic()

    def build(definition: str) -> None:
        with pg(args, args.db) as conn:
            conn.execute("SET maintenance_work_mem TO '512MB'")
            conn.execute(definition)

    # Two at a time, one per core.
    threads = [threading.Thread(target=build, args=(definition,)) for definition in indexes.values()]
    for group in (threads[:2], threads[2:]):
        for thread in group:
            thread.start()
        for thread in group:
            thread.join()
    with pg(args, args.db) as conn:
        built = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'tickets_ticket' AND indexname = ANY(%s)",
            [list(indexes)],
        ).fetchone()[0]
        if built != len(indexes):
            raise SystemExit(f"only {built} of the {len(indexes)} search indexes were built")
        for table, triggers in SEARCH_TRIGGERS.items():
            for trigger in triggers:
                conn.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')
    log(f"  indexes in {time.monotonic() - started:.0f} s")


# --- Server -----------------------------------------------------------------------

class Server:
    """gunicorn with 2 sync workers, as production would run it (minus TLS and a proxy in front)."""

    def __init__(self, args, name: str, env: dict | None = None):
        self.args = args
        self.log_path = OUT / f"gunicorn-{name}.log"
        self.process = None
        self.env = env or {}

    def __enter__(self):
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "tessera.wsgi:application", "--workers", str(self.args.workers),
             "--worker-class", "sync", "--bind", f"127.0.0.1:{self.args.port}", "--timeout", "60",
             "--log-level", "warning"],
            cwd=ROOT, env=bench_env(self.args, **self.env), stdout=self.log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            try:
                status = request(self.args, "GET", CEILING_PATH)[0]
                if status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log_path}")
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer {CEILING_PATH} with 200 within 60 s (last: {status}); "
                         f"see {self.log_path}")

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def rss_mb(self) -> list[float]:
        out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [round(int(kb) / 1024, 1) for kb in out.stdout.split()]

    def __exit__(self, *exc):
        # SIGQUIT: stop now, without finishing the requests wrk left queued.
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()
        # A slow query of a worker that is gone would still run and slow the next page down.
        with pg(self.args, "postgres") as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [self.args.db]
            )


def request(args, method: str, path: str, cookies: dict | None = None, form: dict | None = None):
    """One HTTP request without following redirects: status, cookies set, body."""
    conn = HTTPConnection("127.0.0.1", args.port, timeout=120)
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    set_cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            set_cookies[name] = morsel.value
    content = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, set_cookies, content, response.headers.get("Location")


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def log_in(args, email: str, password: str) -> dict:
    """The cookies of a session opened through the login form, as a browser would."""
    status, cookies, body, _ = request(args, "GET", "/accounts/login/")
    token = CSRF_FIELD.search(body).group(1)
    form = {"csrfmiddlewaretoken": token, "username": email, "password": password, "next": ""}
    status, set_cookies, body, location = request(args, "POST", "/accounts/login/", cookies, form)
    if status != 302 or "sessionid" not in set_cookies:
        raise SystemExit(f"Logging in as {email} failed ({status})")
    cookies.update(set_cookies)
    return cookies


# --- Load -------------------------------------------------------------------------

def run_wrk(args, wrk: str, page: Page, cookies: dict, seconds: float) -> dict:
    env = dict(os.environ)
    env["BENCH_METHOD"] = page.method
    env["BENCH_COOKIE"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    env["BENCH_BODY"] = urllib.parse.urlencode(page.form, doseq=True)
    # One wrk thread: it is enough for these rates and leaves the cores to the server.
    command = [wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds}s", "--timeout", "30s",
               "-s", str(BENCH / "wrk.lua"), f"http://127.0.0.1:{args.port}{page.path}"]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    ok = sum(count for status, count in data["statuses"].items() if status == "302") if page.kind == "create" else (
        sum(count for status, count in data["statuses"].items() if 200 <= int(status) < 400)
    )
    sockets = sum(data["errors"][k] for k in ("connect", "read", "write", "timeout"))
    seconds_run = data["duration_us"] / 1e6
    if not data["requests"]:
        # Not one answer within the run: its latency is at least the run's length.
        data["latency_us"] = dict.fromkeys(("p50", "p90", "p99", "max"), data["duration_us"])
    return {
        "answered": bool(data["requests"]),
        "requests": data["requests"],
        "rps": round(data["requests"] / seconds_run, 1),
        "ok_rps": round(ok / seconds_run, 1),
        "p50_ms": round(data["latency_us"]["p50"] / 1000, 1),
        "p90_ms": round(data["latency_us"]["p90"] / 1000, 1),
        "p99_ms": round(data["latency_us"]["p99"] / 1000, 1),
        "max_ms": round(data["latency_us"]["max"] / 1000, 1),
        "errors": data["requests"] - ok + sockets,
        "socket_errors": sockets,
        "statuses": data["statuses"],
        "kb_per_response": round(data["bytes"] / max(data["requests"], 1) / 1024, 1),
    }


def measure(args, wrk: str, page: Page, sessions: dict, profile: bool = False) -> None:
    cookies = sessions.get(page.login, {})
    with Server(args, page.key, page.env) as server:
        warm_up(args, page, cookies)
        if profile:
            profile_page(args, wrk, page, cookies, server)
            return
        before = ticket_count(args) if page.kind == "create" else None
        workers, backends = server.workers(), database_backends(args)
        cpu_before = (cpu_seconds(workers), cpu_seconds(backends), time.monotonic())
        page.result = run_wrk(args, wrk, page, cookies, args.duration)
        backends = sorted(set(backends) | set(database_backends(args)))
        cpu_after = (cpu_seconds(workers), cpu_seconds(backends), time.monotonic())
        page.result["rss_mb"] = server.rss_mb()
        # CPU per request of the gunicorn workers and of their PostgreSQL backends: what the two
        # cores spend per page, whatever else the machine runs meanwhile.
        requests = max(page.result["requests"], 1)
        page.result["app_cpu_ms"] = round((cpu_after[0] - cpu_before[0]) * 1000 / requests, 2)
        page.result["db_cpu_ms"] = round((cpu_after[1] - cpu_before[1]) * 1000 / requests, 2)
        page.result["load"] = os.getloadavg()[0]
        if before is not None:
            page.result["created"] = ticket_count(args) - before
    r = page.result
    log(f"  {page.label}: {r['ok_rps']:.0f} req/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
        f"errors {r['errors']}, statuses {r['statuses']}, RSS {r['rss_mb']} MB, CPU per request "
        f"{r['app_cpu_ms']} ms Python + {r['db_cpu_ms']} ms PostgreSQL, load {r['load']:.1f}")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes (those that ended meanwhile count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def database_backends(args) -> list[int]:
    with pg(args, "postgres") as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [args.db]
        ).fetchall()
    return [pid for (pid,) in rows]


def warm_up(args, page: Page, cookies: dict) -> None:
    """Requests from as many clients as workers, one after the other, for ``--warmup`` seconds.

    Both workers load their code and templates and open their database connection. Unlike a short
    wrk run, it leaves no queue of unanswered requests behind for the measurement to wait on.
    """
    deadline = time.monotonic() + args.warmup

    def client():
        while True:
            request(args, page.method, page.path, cookies, page.form if page.method == "POST" else None)
            if time.monotonic() >= deadline:
                return

    threads = [threading.Thread(target=client) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def ticket_count(args) -> int:
    with pg(args, args.db) as conn:
        return conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]


def numbers_unique(args) -> dict:
    with pg(args, args.db) as conn:
        total, distinct = conn.execute("SELECT count(*), count(DISTINCT number) FROM tickets_ticket").fetchone()
    return {"tickets": total, "distinct_numbers": distinct, "unique": total == distinct}


# --- Profiles ---------------------------------------------------------------------

def ensure_py_spy() -> str | None:
    py_spy = BIN / "py-spy"
    return str(py_spy) if py_spy.exists() else shutil.which("py-spy")


def profile_page(args, wrk: str, page: Page, cookies: dict, server: Server) -> None:
    py_spy = ensure_py_spy()
    raw = OUT / f"profile-{page.key}.raw"
    seconds = args.profile_seconds
    spy = subprocess.Popen(
        [py_spy, "record", "--pid", str(server.process.pid), "--subprocesses", "--idle", "--rate", "250",
         "--duration", str(seconds), "--format", "raw", "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    run_wrk(args, wrk, page, cookies, seconds)
    spy.wait()
    (OUT / f"profile-{page.key}.txt").write_text(summarize_profile(raw))


#: What a sample of a request is doing, judged by the first rule whose marker is on its stack.
PROFILE_CATEGORIES = (
    ("PostgreSQL round trips (psycopg: sending, waiting, reading)", ("psycopg/",)),
    ("ORM: building SQL, making model instances", ("django/db/",)),
    ("forms", ("django/forms/",)),
    ("template rendering", ("django/template/",)),
    ("sessions, authentication, CSRF, middleware", ("contrib/sessions/", "contrib/auth/", "middleware/csrf", "axes/")),
)


def summarize_profile(raw: Path, top: int = 30) -> str:
    """Where the workers' request time goes: by kind of work, then by function."""
    inclusive, own, kinds, total, idle = Counter(), Counter(), Counter(), 0, 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        count = int(count)
        if "SyncWorker" not in stack:
            continue  # the gunicorn master: it only waits for signals
        if "WSGIHandler.__call__" not in stack:
            idle += count  # a worker between requests (accepting, closing the connection)
            continue
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        total += count
        own[_short(frames[-1])] += count
        for frame in {_short(f) for f in frames}:
            inclusive[frame] += count
        kinds[next((name for name, markers in PROFILE_CATEGORIES if any(m in stack for m in markers)),
                   "other Python (views, services, Django's request cycle)")] += count
    if not total:
        return "no samples\n"
    lines = [f"{total} samples inside requests, {idle} of workers between requests (wall clock, 250 Hz)", "",
             "By kind of work:"]
    lines += [f"  {count / total:6.1%}  {name}" for name, count in kinds.most_common()]
    lines += ["", "Tessera's own functions (inclusive):"]
    lines += [f"  {count / total:6.1%}  {frame}" for frame, count in inclusive.most_common()
              if frame.split("(")[-1].startswith("tessera/")][:top]
    lines += ["", "Inclusive (the function and what it calls):"]
    lines += [f"  {count / total:6.1%}  {frame}" for frame, count in inclusive.most_common(top)]
    lines += ["", "Self (the function itself):"]
    lines += [f"  {count / total:6.1%}  {frame}" for frame, count in own.most_common(top)]
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    frame = re.sub(r"\(.*?/site-packages/", "(", frame)
    frame = re.sub(r"\(.*?/lib/python3\.\d+/", "(stdlib/", frame)
    frame = re.sub(r":\d+\)$", ")", frame)  # one entry per function, not per line
    return frame.replace(str(ROOT) + "/", "")


# --- Report -----------------------------------------------------------------------

def verdict(page: Page, ceiling: float) -> str:
    r = page.result
    if not r:
        return "not available"
    if page.kind == "info":
        return "no target"
    misses = []
    if page.kind in ("read", "search"):
        ratio = r["ok_rps"] / ceiling if ceiling else 0
        limit = SEARCH_P99_MS if page.kind == "search" else READ_P99_MS
        if ratio < READ_RATIO:
            misses.append(f"req/s {ratio:.2f}× < {READ_RATIO}×")
        if r["p99_ms"] > limit:
            misses.append(f"p99 {r['p99_ms']:.0f} > {limit} ms")
    if page.kind == "create":
        if r["ok_rps"] < CREATE_RPS:
            misses.append(f"{r['ok_rps']:.0f}/s < {CREATE_RPS}/s")
        if r["errors"]:
            misses.append(f"{r['errors']} errors")
        if not r.get("unique", True):
            misses.append("duplicate numbers")
    if max(r.get("rss_mb") or [0]) > RSS_MB:
        misses.append(f"RSS > {RSS_MB} MB")
    return "met" if not misses else "MISSED: " + "; ".join(misses)


def table(pages: list[Page]) -> str:
    ceiling = next((p.result.get("ok_rps", 0) for p in pages if p.kind == "ceiling" and p.result), 0)
    rows = ["| Page | req/s | p50 ms | p99 ms | errors | × bare | SQL queries | CPU ms/request (Python + PostgreSQL) "
            "| worker RSS MB | targets |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for page in pages:
        r = page.result
        if not r:
            rows.append(f"| {page.label} | – | – | – | – | – | – | – | – | not available |")
            continue
        ratio = f"{r['ok_rps'] / ceiling:.2f}" if ceiling else "–"
        rss = " / ".join(f"{mb:.0f}" for mb in r.get("rss_mb", []))
        p50, p99 = (f"{r[k]}" if r.get("answered", True) else f"> {r[k]:.0f}" for k in ("p50_ms", "p99_ms"))
        rows.append(
            f"| {page.label} | {r['ok_rps']:.0f} | {p50} | {p99} | {r['errors']} | {ratio} | "
            f"{r.get('queries', '–')} | {r['app_cpu_ms']:.1f} + {r['db_cpu_ms']:.1f} | {rss} | "
            f"{verdict(page, ceiling)} |"
        )
    return "\n".join(rows)


def write_report(args, info: dict, plan: dict, pages: list[Page], extra: dict) -> str:
    lines = [
        "# Tessera benchmark",
        "",
        f"- Date: {info['date']}; load average before the run: "
        + ", ".join(f"{x:.2f}" for x in info["load_before"]),
        f"- Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory_gb']} GB RAM; Python {info['python']}; "
        f"{info['postgresql']}",
        f"- Data: {plan['total_tickets']:,} tickets; the large organization {plan['organization']['name']} "
        f"({plan['organization']['code']}) holds {plan['organization']['tickets']:,} "
        f"({plan['organization']['open']:,} open); customer {plan['customer']['email']} "
        f"({plan['customer']['role']}), agent {plan['agent']['email']}",
        f"- Load: wrk, {args.connections} connections, {args.threads} thread, {args.duration} s per page after "
        f"{args.warmup} s of warm-up, gunicorn restarted per page ({args.workers} sync workers); all on the same "
        "machine as PostgreSQL",
        f"- Command: {' '.join(['bench/run.py', *sys.argv[1:]])}",
        "",
        table(pages),
        "",
        "errors: responses other than 2xx/3xx plus socket errors (for ticket creation: anything but 302). "
        "× bare: req/s relative to the bare Django view. SQL queries: one request of the page through Django's "
        "test client (the second one, after per-process caches are warm). CPU ms/request: user + system CPU "
        "time of the two gunicorn workers and of their PostgreSQL backends during the run, divided by the "
        "requests answered (wrk, the kernel's network work and anything else on the machine come on top).",
        "",
    ]
    if "uniqueness" in extra:
        u = extra["uniqueness"]
        lines.append(f"Ticket numbers after the creation run: {u['tickets']:,} tickets, {u['distinct_numbers']:,} "
                     f"distinct numbers ({'all unique' if u['unique'] else 'DUPLICATES'}); tickets created by the "
                     f"run: {extra.get('created', '?')}.")
        lines.append("")
    loads = [f"{p.key} {p.result['load']:.1f}" for p in pages if p.result]
    lines += ["Load average (1 min) at the end of each page's run, the benchmark's own processes included: "
              + ", ".join(loads) + ".", ""]
    lines.append("URLs:")
    lines += [f"- {p.label}: {p.method} {p.path or 'not available'}" for p in pages]
    text = "\n".join(lines) + "\n"
    (OUT / "results.md").write_text(text)
    return text


# --- Main -------------------------------------------------------------------------

def object_store(plan: dict) -> dict:
    """An S3 server (moto's, on loopback, in this process) holding the ticket page's attachments; its settings.

    The ticket page on S3 storage against the same page on the local disk (issue 17): the page lists the
    attachments and reads none, so the two should not differ.
    """
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"TESSERA_S3_BUCKET": "tessera-bench", "TESSERA_S3_ENDPOINT_URL": f"http://{host}:{port}",
           "TESSERA_S3_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret"}
    client = boto3.client("s3", endpoint_url=env["TESSERA_S3_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket=env["TESSERA_S3_BUCKET"])
    for name in plan["attachments"]:
        client.put_object(Bucket=env["TESSERA_S3_BUCKET"], Key=name, Body=(OUT / "media" / name).read_bytes())
    return env


def build_pages(plan: dict) -> list[Page]:
    word, number = plan["search_word"], plan["ticket_by_number"]
    create = Page("create", "Create a ticket (POST)", "create", "customer", "/tickets/new/", "POST",
                  plan["create"]["fields"])
    return [
        Page("bare", "Bare Django view, 20 KB (ceiling)", "ceiling", None, CEILING_PATH),
        Page("my_tickets", "My tickets (default view)", "read", "customer", "/tickets/"),
        Page("my_tickets_status", "My tickets, status open + in process", "read", "customer",
             "/tickets/?status=open&status=in_process"),
        Page("my_tickets_search", f"My tickets, search “{word}”", "search", "customer", f"/tickets/?q={word}"),
        Page("my_tickets_number", "My tickets, search by exact number", "search", "customer",
             f"/tickets/?q={number}"),
        Page("ticket", f"Ticket page ({len(plan['attachments'])} attachments, local disk)", "read", "customer",
             f"/tickets/{plan['ticket']}/"),
        Page("ticket_s3", f"Ticket page ({len(plan['attachments'])} attachments, S3 storage)", "read", "customer",
             f"/tickets/{plan['ticket']}/", env=plan["s3_env"]),
        create,
        Page("queue", "Agent: “All open” queue", "read", "agent", plan["queue_url"]),
        Page("workspace", "Agent: ticket workspace", "read", "agent", plan["workspace_url"]),
        *global_search_pages(plan),
    ]


def global_search_pages(plan: dict) -> list[Page]:
    """The desk's global search over every ticket (issue 18): a word, a part of a number, an e-mail, a typo."""
    url = plan.get("global_search_url")
    if not url:
        return [Page("global_search", "Agent: global search", "search", "agent")]

    def at(query: str) -> str:
        return f"{url}?{urllib.parse.urlencode({'q': query})}"

    word = plan["search_word"]
    return [
        Page("global_search", f"Agent: global search “{word}”", "search", "agent", at(word)),
        Page("global_search_partial", "Agent: global search, part of a number", "search", "agent",
             at(plan["partial_number"])),
        Page("global_search_email", "Agent: global search, requester's e-mail", "search", "agent",
             at(plan["requester_email"])),
        Page("global_search_typo", f"Agent: global search, typo “{word[:2] + word[3:]}”", "search", "agent",
             at(word[:2] + word[3:])),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tessera_bench")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--pages", help="comma-separated page keys (default: all)")
    parser.add_argument("--reuse-db", action="store_true", help="keep an existing seeded database")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--profile", action="store_true", help="then sample each page with py-spy")
    parser.add_argument("--profile-seconds", type=int, default=15)
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    wrk = ensure_wrk()
    info = machine()
    if args.reuse_db and database_is_seeded(args):
        log(f"Reusing the seeded database {args.db} (migrating it to the code's migrations)")
        manage(args, "migrate", "--no-input", "-v0")
    else:
        seed(args)
    with pg(args, args.db) as conn:
        info["postgresql"] = "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]

    log("Collecting the static files (production settings name them by their hash)")
    manage(args, "collectstatic", "--no-input", "--clear", "-v0")
    log("Looking up what to request (bench/probe.py prepare)")
    plan = probe(args, "prepare")
    plan["s3_env"] = object_store(plan)
    pages = build_pages(plan)
    if args.pages:
        wanted = set(args.pages.split(",")) | {"bare"}
        pages = [p for p in pages if p.key in wanted]

    sessions = {}
    with Server(args, "login"):
        sessions["customer"] = log_in(args, plan["customer"]["email"], plan["password"])
        sessions["agent"] = log_in(args, plan["agent"]["email"], plan["password"])
        status, set_cookies, body, _ = request(args, "GET", "/tickets/new/", sessions["customer"])
        sessions["customer"].update(set_cookies)
        for page in pages:
            if page.method == "POST":
                page.form = {**page.form, "csrfmiddlewaretoken": CSRF_FIELD.search(body).group(1)}
        # The same request wrk will send, once: a 302 to the new ticket, or the reason it is not one.
        for page in pages:
            if page.method == "POST":
                status, _, body, location = request(args, "POST", page.path, sessions["customer"], page.form)
                if status != 302:
                    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', body)[:5]
                    raise SystemExit(f"The ticket form was refused ({status}): {errors}")
            elif page.path and page.kind != "ceiling":
                status = request(args, "GET", page.path, sessions.get(page.login))[0]
                if status == 404:
                    log(f"{page.label}: {page.path} answers 404, not available")
                    page.path = None
                elif status != 200:
                    raise SystemExit(f"{page.label}: {page.path} answers {status}")

    extra = {}
    log(f"Load: {args.connections} connections, {args.duration} s per page")
    for page in pages:
        if page.path:
            measure(args, wrk, page, sessions)
        if page.kind == "create" and page.result:
            extra["uniqueness"] = numbers_unique(args)
            extra["created"] = page.result.get("created")
            page.result["unique"] = extra["uniqueness"]["unique"]

    log("Counting the SQL queries of each page (bench/probe.py queries)")
    plan_path = OUT / "query-plan.json"
    logins = {"customer": plan["customer"]["email"], "agent": plan["agent"]["email"]}
    plan_path.write_text(json.dumps([
        {"key": p.key, "login": logins.get(p.login), "method": p.method, "path": p.path,
         "form": {k: v for k, v in p.form.items() if k != "csrfmiddlewaretoken"}}
        for p in pages
    ]))
    query_results = probe(args, "queries", str(plan_path))
    with (OUT / "queries.txt").open("w") as out:
        for page in pages:
            q = query_results.get(page.key)
            if q is None:
                continue
            if page.result:
                page.result["queries"] = q["queries"]
            out.write(f"== {page.label} ({page.method} {page.path}): status {q['status']}, {q['queries']} queries, "
                      f"{q['sql_ms']} ms SQL of {q['response_ms']} ms\n")
            for query in q["all"]:
                out.write(f"  {query['ms']:8.2f} ms  {query['sql']}\n")
            if q["explain"]:
                out.write(f"  -- EXPLAIN ANALYZE of the slowest ({q['slowest_ms']} ms):\n")
                out.write("".join(f"     {line}\n" for line in q["explain"].splitlines()))
            out.write("\n")

    if args.profile:
        if ensure_py_spy() is None:
            log("py-spy is not installed: no profiles (pip install py-spy)")
        else:
            log("Profiling each page with py-spy (a second pass; its numbers are not the table's)")
            for page in pages:
                if page.path:
                    measure(args, wrk, page, sessions, profile=True)

    report = write_report(args, info, plan, pages, extra)
    (OUT / "results.json").write_text(json.dumps(
        {"machine": info, "plan": plan, "pages": [p.__dict__ for p in pages], "extra": extra}, indent=2,
        default=str,
    ))
    print()
    print(report)
    if not args.keep_db:
        log(f"Dropping the database {args.db}")
        drop_database(args)
    log(f"Done in {datetime.timedelta(seconds=round(time.monotonic() - started))}; results in {OUT / 'results.md'}")


if __name__ == "__main__":
    main()
