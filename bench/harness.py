"""Reusable HTTP benchmark harness: gunicorn on PostgreSQL + Redis, measured with wrk.

A bench script (``bench/bench_*.py``) does, in order::

    args = harness.parse_args("what this bench measures")
    with harness.BenchRun(args) as run:        # temp var dir, env, DB created + migrated
        run.manage("seed_demo")                # load whatever data the bench needs
        with run.server() as server:           # gunicorn, waits for /health/live/, always stopped
            token = server.login(email, password)
            results = run.measure(server, [Scenario("floor", "/health/live/"), ...])
        run.report("title", results, floor="floor")  # Markdown table + machine facts

Everything is bounded: gunicorn start (30 s), each wrk run (duration + 30 s), each manage.py
command (``timeout``). Traffic goes to 127.0.0.1 only. gunicorn is stopped in a ``finally``
(SIGTERM, then SIGKILL to its own process group), also on error, Ctrl-C or SIGTERM.

Set-up choices (see bench/README.md for the figures behind them):

* gunicorn ``sync`` workers, ``--threads 1``, 2 workers by default: the views are CPU-bound
  Python (the GIL makes threads useless for that), and the machine has 2 cores that the workers
  share with wrk, PostgreSQL and Redis; one worker per core keeps them busy without measuring
  context switches. ``--workers`` / ``--worker-class`` change it.
* wrk: 1 thread, 8 connections, ``--timeout 5s``; per scenario a 2 s warm-up, then 12 s
  measured as 3 rounds of 4 s interleaved across the scenarios. One wrk thread keeps the load
  generator's share of the 2 cores small; 8 connections keep both workers saturated (closed
  loop: latency includes the time a request waits in gunicorn's accept queue).
* The machine is shared (other sessions run test suites and browsers on the same 2 cores), so
  each round records the CPU share that processes outside the bench took (``CpuMeter``); a
  round above ``--clean-threshold`` (10 %) is re-run (``--extra-rounds``, 1 per scenario), and
  the figures are medians over the clean rounds. Before each round the harness also waits
  (bounded, ``--quiet-budget``) for the machine to go quiet. The table shows both.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA_REPORT = Path(__file__).resolve().parent / "wrk_report.lua"

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
DEFAULT_DATABASE = "ysh_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
# A per-second window: DRF keeps the timestamp of every request of the window in one cache
# entry per user, so with a per-minute window a bench that sends thousands of requests a second
# would make each request (de)serialise a list of up to 60 s × req/s floats and measure that
# list rather than the view. At today's ~270 req/s the difference is within the noise
# (README); a per-second window keeps it bounded for the faster endpoints to come.
DEFAULT_THROTTLE_RATE = "1000000/s"

# Project settings that would point the server elsewhere than the bench's own services.
_SCRUBBED_ENV = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "QDRANT_URL",
    "QDRANT_PATH",
    "S3_BUCKET",
    "AWS_STORAGE_BUCKET_NAME",
    "S3_ENDPOINT_URL",
    "AWS_S3_ENDPOINT_URL",
    "OPENAI_API_KEY",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "PRIVATE_MEDIA_ROOT",
)


class BenchError(RuntimeError):
    """The bench could not run (missing tool, server did not start, failed preflight, …)."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- configuration --------------------------------------------------------------------------


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    return argument_parser(description).parse_args(argv)


def argument_parser(description: str) -> argparse.ArgumentParser:
    """The harness's options; a bench may add its own before parsing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="PostgreSQL DB (created if missing)")
    parser.add_argument(
        "--var-dir", default=None, help="keep files (vector index, media) here instead of a temp dir"
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="Redis URL (its DB is flushed first)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2 = cores)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (default 1)")
    parser.add_argument("--duration", type=int, default=12, help="measured seconds per scenario")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds the duration is split in")
    parser.add_argument(
        "--quiet-threshold",
        type=float,
        default=20,
        help="before each round, wait until other processes use less than this %% of the CPU (100 = never)",
    )
    parser.add_argument(
        "--clean-threshold",
        type=float,
        default=10,
        help="a round where other processes took more than this %% of the CPU is re-run",
    )
    parser.add_argument("--extra-rounds", type=int, default=1, help="re-runs of disturbed rounds")
    parser.add_argument("--quiet-budget", type=float, default=20, help="max total seconds of such waiting")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per scenario (discarded)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--throttle-rate", default=DEFAULT_THROTTLE_RATE, help="THROTTLE_* rates")
    parser.add_argument("--only", action="append", default=[], help="run only these scenario names")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    return parser


@dataclass(frozen=True)
class Scenario:
    """One endpoint to load. With ``paths`` set, wrk cycles through them (a query mix: every
    request another URL, from a random start in each run) and ``path`` is only the label and the
    preflight URL."""

    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect_status: int = 200
    paths: tuple[str, ...] = ()


# --- tools ----------------------------------------------------------------------------------


def _run(cmd: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 120, check=True):
    result = subprocess.run(
        list(cmd), env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise BenchError(
            f"{' '.join(cmd)} exited {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return result


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's packages when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if os.geteuid() != 0 or apt is None:
        raise BenchError("wrk is not installed: run `apt-get install -y wrk` (as root) and try again")
    log("wrk missing: apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "-qq", "--no-install-recommends", "wrk"]
    if _run(install, env=env, timeout=300, check=False).returncode != 0:
        _run([apt, "update", "-qq"], env=env, timeout=300, check=False)
        _run(install, env=env, timeout=300)
    found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk is still missing after apt-get install -y wrk")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def psql(sql: str, *, check: bool = True) -> str:
    """One SQL statement on the server's ``postgres`` database; its unaligned output."""
    cmd = ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres", "-Atc", sql]
    return _run(cmd, timeout=30, check=check).stdout.strip()


def ensure_database(name: str) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise BenchError(f"refusing odd database name {name!r}")
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        log(f"createdb {name}")
        _run(["createdb", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, name], timeout=60)


def flush_redis(url: str) -> None:
    """Empty the bench's own Redis DB (throttle history, cache) so every run starts alike."""
    import redis

    if urllib.parse.urlsplit(url).path.strip("/") in ("", "0"):
        raise BenchError(f"refusing to flush Redis DB 0 ({url}): give the bench a DB of its own")

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def bench_env(
    *,
    database: str = DEFAULT_DATABASE,
    redis_url: str = DEFAULT_REDIS_URL,
    var_dir: Path,
    throttle_rate: str = DEFAULT_THROTTLE_RATE,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ysh.settings",
            "DATABASE_URL": database_url(database),
            "REDIS_URL": redis_url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "YSH_VAR_DIR": str(var_dir),
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "THROTTLE_ANON": throttle_rate,
            "THROTTLE_USER": throttle_rate,
            "THROTTLE_AUTH": throttle_rate,
            "THROTTLE_PUBLIC": throttle_rate,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 600) -> str:
    """Run ``python manage.py ARGS`` with the bench environment; returns its stdout."""
    started = time.perf_counter()
    result = _run([sys.executable, "manage.py", *args], env=env, timeout=timeout)
    log(f"manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s")
    return result.stdout


def http(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: dict | None = None,
    timeout: float = 10,
) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# --- gunicorn -------------------------------------------------------------------------------


class Server:
    """A running gunicorn; use through ``gunicorn_server()``."""

    def __init__(self, base_url: str, process: subprocess.Popen, error_log: Path):
        self.base_url = base_url
        self.process = process
        self.error_log = error_log

    def url(self, path: str) -> str:
        return self.base_url + path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        return http(self.url(path), headers=headers)

    def login(self, email: str, password: str, path: str = "/api/v1/auth/login") -> str:
        """POST the credentials and return the JWT access token."""
        status, body = http(self.url(path), method="POST", body={"email": email, "password": password})
        if status != 200:
            raise BenchError(f"login as {email} answered {status}: {body[:300]!r}")
        return json.loads(body)["access"]

    def error_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.error_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextlib.contextmanager
def gunicorn_server(
    env: dict[str, str],
    *,
    workers: int = 2,
    worker_class: str = "sync",
    threads: int = 1,
    log_dir: Path,
    start_timeout: float = 30,
) -> Iterator[Server]:
    port = free_port()
    error_log = log_dir / f"gunicorn-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "ysh.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "--error-logfile",
        str(error_log),
    ]
    log(f"gunicorn: {workers} × {worker_class} worker(s), {threads} thread(s), 127.0.0.1:{port}")
    with error_log.open("ab") as sink:
        process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(f"http://127.0.0.1:{port}", process, error_log)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited {process.returncode} at start:\n{server.error_tail()}")
            try:
                status, _ = http(server.url("/health/live/"), timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer /health/live/ in {start_timeout:.0f} s")
            time.sleep(0.2)
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    log(f"stopping gunicorn (pid {process.pid})")
    process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of the master + workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        log("gunicorn did not stop in 15 s: SIGKILL to its process group")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the group we created with start_new_session
        process.wait(timeout=5)


# --- CPU accounting -------------------------------------------------------------------------

_CLK_TCK = os.sysconf("SC_CLK_TCK")


def _machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, all cores."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already inside user/nice
    return total - idle, total


def _all_processes() -> dict[int, tuple[int, str, int]]:
    """{pid: (ppid, comm, utime + stime ticks)} of every process on the machine."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()  # comm may hold spaces
            found[int(entry.name)] = (int(fields[1]), comm, int(fields[11]) + int(fields[12]))
    return found


@dataclass
class OtherCpu:
    pct: float = 0.0  # share of the machine's capacity used by processes outside the bench
    top: str = ""  # the biggest of them, e.g. "python 41 %, chromium 9 %"


class CpuMeter:
    """How much of the machine's CPU went to processes outside the benchmark during a run.

    The benchmark's own processes are this script, gunicorn (master + workers), the
    PostgreSQL backends of the bench database, Redis, and wrk and psql (waited-for children:
    counted through getrusage). Anything else busy on the machine (another test suite, a
    build) competes for the 2 cores and skews the figures; the harness reports it next to them
    instead of pretending it was not there. Processes are listed again at each snapshot
    (workers and DB connections get replaced). The share is the machine's busy time minus
    ours, so short-lived outside processes count too; the names come from the process table.
    """

    def __init__(self, server: Server, database: str = DEFAULT_DATABASE, redis_url: str = DEFAULT_REDIS_URL):
        self.server_pid = server.process.pid
        self.database = database
        self.redis_pid = 0
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
            self.redis_pid = int(client.info("server")["process_id"])
            client.close()

    def _snapshot(self) -> tuple[int, int, dict[int, tuple[int, str, int]], set[int], float]:
        ours = {os.getpid(), self.server_pid, self.redis_pid}
        with contextlib.suppress(BenchError, subprocess.SubprocessError):
            rows = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.database}'", check=False)
            ours.update(int(p) for p in rows.split() if p.isdigit())
        processes = _all_processes()
        ours.update(pid for pid, (ppid, _, _) in processes.items() if ppid == self.server_pid)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, psql, once waited for
        busy, total = _machine_busy_ticks()
        return busy, total, processes, ours, usage.ru_utime + usage.ru_stime

    @contextlib.contextmanager
    def other_cpu(self) -> Iterator[OtherCpu]:
        """Yields an OtherCpu that is filled in when the block ends."""
        out = OtherCpu()
        busy0, total0, procs0, _, children0 = self._snapshot()
        yield out
        busy1, total1, procs1, ours, children1 = self._snapshot()
        capacity = (total1 - total0) / _CLK_TCK
        if capacity <= 0:
            return
        deltas: dict[int, float] = {}
        for pid, (_, _, ticks) in procs1.items():
            before = procs0.get(pid)
            deltas[pid] = (ticks - (before[2] if before else 0)) / _CLK_TCK
        ours_s = sum(deltas.get(pid, 0.0) for pid in ours) + children1 - children0
        out.pct = max(0.0, 100 * ((busy1 - busy0) / _CLK_TCK - ours_s) / capacity)
        by_name: dict[str, float] = {}
        for pid, seconds in deltas.items():
            if pid not in ours and seconds > 0:
                name = procs1[pid][1]
                by_name[name] = by_name.get(name, 0.0) + seconds
        biggest = sorted(by_name.items(), key=lambda item: -item[1])[:3]
        out.top = ", ".join(
            f"{name} {100 * sec / capacity:.0f} %" for name, sec in biggest if sec / capacity >= 0.02
        )


class QuietGate:
    """Before a round, wait (bounded) until the machine is quiet: our server is idle between
    rounds, so the busy share then is other people's work. The total wait per bench is capped."""

    def __init__(self, threshold_pct: float = 20, budget_s: float = 60, sample_s: float = 0.5):
        self.threshold_pct = threshold_pct
        self.budget_s = budget_s
        self.sample_s = sample_s
        self.waited_s = 0.0

    def busy_pct(self) -> float:
        busy0, total0 = _machine_busy_ticks()
        time.sleep(self.sample_s)
        busy1, total1 = _machine_busy_ticks()
        return 100 * (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0

    def wait(self) -> None:
        if self.threshold_pct >= 100 or self.waited_s >= self.budget_s:
            return
        started = time.monotonic()
        busy = self.busy_pct()
        while busy > self.threshold_pct and self.waited_s + time.monotonic() - started < self.budget_s:
            busy = self.busy_pct()
        waited = time.monotonic() - started
        self.waited_s += waited
        if waited > 2 * self.sample_s:
            state = "quiet" if busy <= self.threshold_pct else "still busy, budget spent"
            log(f"waited {waited:.1f} s for other load to drop ({state}: {busy:.0f} % busy)")


# --- wrk ------------------------------------------------------------------------------------

_LINE = re.compile(r"^YSHBENCH (.*)$", re.MULTILINE)


def _lua_string(text: str) -> str:
    safe = "/?&=%-_.,:+~"
    escaped = (ch if ch.isascii() and (ch.isalnum() or ch in safe) else f"\\{ord(ch):03d}" for ch in text)
    return '"' + "".join(escaped) + '"'


def mix_script(paths: Sequence[str]) -> tuple[Path, Path]:
    """A wrk script that requests ``paths`` (one per line in a second file) in turn, from a
    random start, and reports like wrk_report.lua (which it loads). Both are temp files the
    caller removes."""
    handle, list_name = tempfile.mkstemp(prefix="ysh-wrk-paths-", suffix=".txt")
    with os.fdopen(handle, "w") as out:
        out.write("\n".join(paths) + "\n")
    script = (
        "local paths = {}\n"
        f"for line in io.lines({_lua_string(list_name)}) do paths[#paths + 1] = line end\n"
        "local i = 0\n"
        "init = function(args)\n"
        "  math.randomseed(os.time())\n"
        "  i = math.random(#paths)\n"
        "end\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\n"
        "end\n"
        f"dofile({_lua_string(str(LUA_REPORT))})\n"
    )
    handle, name = tempfile.mkstemp(prefix="ysh-wrk-mix-", suffix=".lua")
    with os.fdopen(handle, "w") as out:
        out.write(script)
    return Path(name), Path(list_name)


def run_wrk(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    duration: int = 10,
    connections: int = 8,
    threads: int = 1,
    wrk: str = "wrk",
    paths: Sequence[str] = (),
) -> dict[str, float]:
    """One wrk run; the numbers of wrk_report.lua's line (rps, p50_ms, …, err_*). With
    ``paths``, every request takes the next of them (``url`` gives the host)."""
    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise BenchError(f"refusing to load a non-loopback address: {url}")
    script, path_list = mix_script(paths) if paths else (LUA_REPORT, None)
    cmd = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=5s",
        f"--script={script}",
    ]
    for name, value in (headers or {}).items():
        cmd += ["--header", f"{name}: {value}"]
    cmd.append(url)
    try:
        result = _run(cmd, timeout=duration + 30)
    finally:
        if path_list is not None:
            script.unlink(missing_ok=True)
            path_list.unlink(missing_ok=True)
    match = _LINE.search(result.stdout)
    if not match:
        raise BenchError(f"wrk printed no YSHBENCH line:\n{result.stdout}\n{result.stderr}")
    return {key: float(value) for key, value in (pair.split("=", 1) for pair in match.group(1).split())}


@dataclass(frozen=True)
class Result:
    """One scenario: medians over its clean rounds (all rounds if none was clean)."""

    scenario: str
    path: str
    rounds: int  # rounds the figures come from
    clean: int  # clean rounds among those run
    attempts: int  # rounds run
    requests: int
    seconds: float
    rps: float
    rps_min: float
    rps_max: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    bytes: int
    errors: dict[str, int]
    other_cpu_pct: float  # median share of the CPU other processes took in those rounds

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def _combine(scenario: Scenario, samples: list[dict[str, float]], clean_pct: float) -> Result:
    clean = [s for s in samples if s["other_cpu_pct"] <= clean_pct]
    used = clean or samples

    def med(key: str) -> float:
        return statistics.median(s[key] for s in used)

    return Result(
        scenario=scenario.name,
        path=scenario.path,
        rounds=len(used),
        clean=len(clean),
        attempts=len(samples),
        requests=int(sum(s["requests"] for s in used)),
        seconds=sum(s["duration_s"] for s in used),
        rps=med("rps"),
        rps_min=min(s["rps"] for s in used),
        rps_max=max(s["rps"] for s in used),
        p50_ms=med("p50_ms"),
        p95_ms=med("p95_ms"),
        p99_ms=med("p99_ms"),
        max_ms=max(s["max_ms"] for s in used),
        bytes=int(sum(s["bytes"] for s in used)),
        # errors of every round run, clean or not: an error is never noise
        errors={k[4:]: int(sum(s[k] for s in samples)) for k in samples[0] if k.startswith("err_")},
        other_cpu_pct=med("other_cpu_pct"),
    )


def measure(
    server: Server,
    scenarios: Sequence[Scenario],
    *,
    duration: int = 12,
    rounds: int = 3,
    extra_rounds: int = 1,
    clean_pct: float = 10,
    warmup: int = 2,
    connections: int = 8,
    threads: int = 1,
    database: str = DEFAULT_DATABASE,
    redis_url: str = DEFAULT_REDIS_URL,
    gate: QuietGate | None = None,
) -> list[Result]:
    """Preflight and warm up every scenario, then measure them in interleaved rounds.

    Each scenario gets ``rounds`` wrk runs of ``duration / rounds`` seconds, round-robin across
    the scenarios. A round during which other processes took more than ``clean_pct`` % of the
    machine's CPU is *disturbed*: it is run again, up to ``extra_rounds`` times per scenario,
    and the figures are the medians of the clean rounds (of all rounds if none was clean,
    which the table then shows: a figure from disturbed rounds is a lower bound).
    """
    wrk = ensure_wrk()
    common = {"connections": connections, "threads": threads, "wrk": wrk}
    for scenario in scenarios:
        status, body = server.get(scenario.path, scenario.headers)
        if status != scenario.expect_status:
            raise BenchError(
                f"{scenario.name}: GET {scenario.path} answered {status}, "
                f"expected {scenario.expect_status}: {body[:300]!r}"
            )
        if warmup > 0:
            run_wrk(
                server.url(scenario.path),
                headers=scenario.headers,
                duration=warmup,
                paths=scenario.paths,
                **common,
            )
    meter = CpuMeter(server, database, redis_url)
    gate = gate or QuietGate(threshold_pct=100)
    round_seconds = max(1, round(duration / max(1, rounds)))
    max_attempts = rounds + extra_rounds
    samples: dict[str, list[dict[str, float]]] = {s.name: [] for s in scenarios}

    def clean(name: str) -> int:
        return sum(1 for s in samples[name] if s["other_cpu_pct"] <= clean_pct)

    def pending() -> list[Scenario]:
        return [s for s in scenarios if clean(s.name) < rounds and len(samples[s.name]) < max_attempts]

    while todo := pending():
        for scenario in todo:
            gate.wait()
            with meter.other_cpu() as other:
                raw = run_wrk(
                    server.url(scenario.path),
                    headers=scenario.headers,
                    duration=round_seconds,
                    paths=scenario.paths,
                    **common,
                )
            raw["other_cpu_pct"] = other.pct
            samples[scenario.name].append(raw)
            flag = "" if other.pct <= clean_pct else f" (disturbed: {other.top or 'short-lived processes'})"
            log(
                f"{scenario.name} #{len(samples[scenario.name])}: {raw['rps']:.0f} req/s, "
                f"p50 {raw['p50_ms']:.2f} ms, p99 {raw['p99_ms']:.2f} ms, "
                f"other CPU {other.pct:.0f} %{flag}"
            )
    results = [_combine(s, samples[s.name], clean_pct) for s in scenarios]
    for result in results:
        if result.error_count:
            log(f"{result.scenario}: WARNING errors {result.errors}\n{server.error_tail(10)}")
    return results


# --- reporting ------------------------------------------------------------------------------


def markdown_table(results: Sequence[Result], floor: str | None = None) -> str:
    """scenario | req/s | p50 | p95 | p99 | % of the floor (the first result unless named),
    then the req/s spread over the rounds used, how many rounds were clean out of those run and
    the median CPU share other processes took meanwhile."""
    if not results:
        return "(no results)"
    base = next((r for r in results if r.scenario == floor), results[0])
    lines = [
        f"| scenario | req/s | p50 ms | p95 ms | p99 ms | vs floor ({base.scenario}) "
        "| req/s min–max | clean rounds | other CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        relative = 100 * r.rps / base.rps if base.rps else 0.0
        name = f"{r.scenario} `{r.path}`"
        if r.error_count:
            name += f" ⚠ {r.error_count} errors"
        lines.append(
            f"| {name} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p95_ms:.2f} | {r.p99_ms:.2f} | {relative:.0f} % "
            f"| {r.rps_min:,.0f}–{r.rps_max:,.0f} | {r.clean}/{r.attempts} | {r.other_cpu_pct:.0f} % |"
        )
    return "\n".join(lines)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def machine_facts(args: argparse.Namespace, wrk: str | None = None) -> dict[str, str]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    pg = psql("SHOW server_version", check=False)
    redis_version = "?"
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(args.redis_url, socket_connect_timeout=2)
        redis_version = client.info("server")["redis_version"]
        client.close()
    wrk_version = "?"
    if wrk:
        out = _run([wrk, "--version"], timeout=10, check=False)
        wrk_version = (out.stdout or out.stderr).split("[", 1)[0].strip() or "?"
    load = "?"
    with contextlib.suppress(OSError):
        load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {
        "date": time.strftime("%Y-%m-%d"),
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": _version("django"),
        "djangorestframework": _version("djangorestframework"),
        "gunicorn": _version("gunicorn"),
        "postgresql": pg or "?",
        "redis": redis_version,
        "wrk": wrk_version,
        "load average before the run (1/5/15 min)": getattr(args, "loadavg_before", load),
        "server": f"gunicorn {args.workers} × {args.worker_class} worker(s), {args.threads} thread(s)",
        "load": (
            f"wrk {args.wrk_threads} thread(s), {args.connections} connections, "
            f"{args.warmup} s warm-up + {args.rounds} interleaved rounds of "
            f"{max(1, round(args.duration / max(1, args.rounds)))} s per scenario"
        ),
    }


# --- one bench run --------------------------------------------------------------------------


class BenchRun:
    """Temp var dir + environment + migrated PostgreSQL DB + flushed Redis DB, for one bench."""

    def __init__(self, args: argparse.Namespace, *, extra_env: dict[str, str] | None = None):
        self.args = args
        self.extra_env = extra_env or {}
        self.started = time.perf_counter()
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.gate = QuietGate(args.quiet_threshold, args.quiet_budget)

    def __enter__(self) -> BenchRun:
        with contextlib.suppress(OSError):  # other work on the machine skews the figures: record it
            self.args.loadavg_before = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
        if getattr(self.args, "var_dir", None):
            self.var_dir = Path(self.args.var_dir).resolve()  # kept: a later run can reuse it
            self.var_dir.mkdir(parents=True, exist_ok=True)
        else:
            self._tmp = tempfile.TemporaryDirectory(prefix="ysh-bench-")
            self.var_dir = Path(self._tmp.name)
        self.env = bench_env(
            database=self.args.database,
            redis_url=self.args.redis_url,
            var_dir=self.var_dir,
            throttle_rate=self.args.throttle_rate,
            extra=self.extra_env,
        )
        self._install_signal_handler()
        ensure_database(self.args.database)
        flush_redis(self.args.redis_url)
        self.manage("migrate", "--noinput")
        return self

    def __exit__(self, *exc_info) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    @staticmethod
    def _install_signal_handler() -> None:
        def _terminate(signum, frame):
            raise SystemExit(128 + signum)  # unwinds through the finally that stops gunicorn

        signal.signal(signal.SIGTERM, _terminate)

    def manage(self, *args: str, timeout: float = 600) -> str:
        return manage(*args, env=self.env, timeout=timeout)

    def server(self) -> contextlib.AbstractContextManager[Server]:
        # One sync worker per core: one torch thread each for query embeddings (ysh/embeddings.py).
        return gunicorn_server(
            {"EMBEDDER_THREADS": "1", **self.env},
            workers=self.args.workers,
            worker_class=self.args.worker_class,
            threads=self.args.threads,
            log_dir=self.var_dir,
        )

    def measure(self, server: Server, scenarios: Sequence[Scenario]) -> list[Result]:
        if self.args.only:
            scenarios = [s for s in scenarios if s.name in self.args.only]
        return measure(
            server,
            scenarios,
            duration=self.args.duration,
            rounds=self.args.rounds,
            warmup=self.args.warmup,
            database=self.args.database,
            redis_url=self.args.redis_url,
            gate=self.gate,
            clean_pct=self.args.clean_threshold,
            extra_rounds=self.args.extra_rounds,
            connections=self.args.connections,
            threads=self.args.wrk_threads,
        )

    def report(self, title: str, results: Sequence[Result], floor: str | None = None) -> None:
        facts = machine_facts(self.args, shutil.which("wrk"))
        print(f"\n## {title}\n")
        print(markdown_table(results, floor))
        print()
        for key, value in facts.items():
            print(f"- {key}: {value}")
        print(
            f"- waited for other load to drop: {self.gate.waited_s:.0f} s "
            f"(threshold {self.args.quiet_threshold:.0f} % busy)"
        )
        print(f"- wall time: {time.perf_counter() - self.started:.0f} s")
        if self.args.json:
            payload = {"title": title, "facts": facts, "results": [r.__dict__ for r in results]}
            self.args.json.write_text(json.dumps(payload, indent=2) + "\n")
            log(f"results written to {self.args.json}")


if __name__ == "__main__":
    # `make bench` runs every bench/*.py: this module is the library, not a bench.
    print("bench/harness.py is the library behind bench/bench_*.py; run one of those.")
