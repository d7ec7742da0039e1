"""Each measure runs one app once and returns {metric key: value}.

Times are wall seconds of a fresh process, as a user would wait for them;
throughput is requests per second; memory is MiB. Beside a wall figure,
``<key>_cpu`` holds the same in CPU time (user + system) of the process: it
barely moves when other work shares the machine, where wall time does.
"""

import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.subjects import BENCH_DIR, BenchError, bake_argv

READ_PATH = "/api/users?per_page=100"
WRITE_PATH = "/api/users"
WRITE_BODY = '{"name": "bench"}'
GUNICORN_WORKERS = 2
# Both apps in sync workers: the baseline has no gunicorn.conf.py, and the
# bake's picks threads (for slow clients) that would add their hand-offs to
# one side only; sync also keeps these rows comparable with earlier runs.
# One thread: with more, gunicorn runs gthread whatever the class says.
GUNICORN_WORKER_CLASS = ("--worker-class", "sync", "--threads", "1")
# Untimed load before each timed one: both workers up (the baseline's import
# the app after the fork), their first requests' caches filled.
WARM_UP_SECONDS = 2


def timed(key, subject, argv):
    """{key: wall seconds, key_cpu: CPU seconds} of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subject.run(argv)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {key: wall, f"{key}_cpu": cpu}


def boot(subject):
    argv = [subject.python, "-c", f"import {subject.boot_module}"]
    return timed("boot", subject, argv)


def cli(subject):
    return {
        **timed("cli_help", subject, subject.cli("db", "--help")),
        **timed("cli_current", subject, subject.cli("db", "current")),
    }


def probe(subject, *args):
    argv = [subject.python, BENCH_DIR / "probe.py", subject.app_spec, *args]
    return json.loads(subject.run(argv).stdout)


def peak_memory(subject):
    kib = probe(subject, "rss", READ_PATH)["max_rss_kib"]
    return {"rss": kib / 1024}


def api_problem(subject):
    """Why the request figures cannot be taken on this app, or None."""
    subject.seed()
    codes = probe(subject, "status", READ_PATH, WRITE_PATH)
    if codes != {"read": 200, "write": 201, "anonymous": 401}:
        return (
            f"{subject.name}: GET {READ_PATH} answered {codes['read']}, "
            f"POST {WRITE_PATH} {codes['write']} and GET without a token "
            f"{codes['anonymous']} (200, 201 and 401 expected)"
        )
    return None


def in_process(subject, count):
    subject.seed()
    read = probe(subject, "requests", "GET", READ_PATH, count)
    write = probe(subject, "requests", "POST", WRITE_PATH, count, WRITE_BODY)
    return {
        "inproc_read": read["per_second"],
        "inproc_read_cpu": read["per_cpu_second"],
        "inproc_write": write["per_second"],
        "inproc_write_cpu": write["per_cpu_second"],
    }


def missing_tool(name):
    """Why a Debian tool the measure runs cannot be run here, or None."""
    if shutil.which(name) is None:
        return f"{name} is not installed (Debian: apt-get install {name})"
    return None


def gunicorn_problem(subject):
    """Why the app cannot be served by gunicorn, or None."""
    try:
        subject.run([subject.python, "-c", "import gunicorn"])
    except BenchError:
        return "gunicorn is not installed with the baked project's locked dependencies"
    return None


def loopback(subjects, seconds, connections):
    """Throughput under gunicorn, loaded by wrk on 127.0.0.1 for `seconds`.

    Both apps are served at once and loaded in turns of SLICE_SECONDS, in
    the order A B B A A B ..., until each had `seconds` of load: whatever
    else the machine does for a few seconds falls on both alike, where one
    10-second run after the other let it fall on one (two whole runs'
    ratios once differed by 10 %). Returns {subject name: figures}.
    """
    figures = {subject.name: {} for subject in subjects}
    with ExitStack() as stack:
        servers = {
            subject.name: (*stack.enter_context(_gunicorn(subject)), subject)
            for subject in subjects
        }
        post = ("-s", BENCH_DIR / "post.lua")
        for key, path, options in (
            ("loop_read", READ_PATH, ()),
            ("loop_write", WRITE_PATH, post),
        ):
            served = _served_in_turns(servers, path, seconds, connections, options)
            for name, (rate, per_cpu_second) in served.items():
                figures[name][key] = rate
                figures[name][f"{key}_cpu"] = per_cpu_second
    return figures


# Long enough that wrk's start and its connections' opening are noise, short
# enough that a burst of other work meets both apps.
SLICE_SECONDS = 2


def _served_in_turns(servers, path, seconds, connections, options):
    """{name: (requests per wall second, per CPU second of its gunicorn)}.

    The CPU figure counts only what each server spent (master and workers),
    not what wrk or other work on the machine took. Both are taken after an
    untimed warm-up of the same load.
    """
    names = list(servers)
    slice_seconds = min(SLICE_SECONDS, seconds)
    turns = max(1, round(seconds / slice_seconds))
    for _process, base, subject in servers.values():
        # No longer than the measure itself: a short run is a smoke test.
        warm_up = min(WARM_UP_SECONDS, seconds)
        _wrk(base + path, warm_up, connections, *_wrk_headers(subject), *options)
    counted = {name: [0, 0.0, 0.0] for name in names}  # requests, wall, CPU
    for turn in range(turns):
        for name in names if turn % 2 == 0 else names[::-1]:
            process, base, subject = servers[name]
            before = _server_cpu(process.pid)
            rate, count = _wrk(
                base + path,
                slice_seconds,
                connections,
                *_wrk_headers(subject),
                *options,
            )
            counted[name][0] += count
            counted[name][1] += count / rate if rate else 0.0
            counted[name][2] += _server_cpu(process.pid) - before
    return {
        name: (
            count / wall if wall > 0 else float("nan"),
            count / cpu if cpu > 0 else float("nan"),
        )
        for name, (count, wall, cpu) in counted.items()
    }


def _wrk_headers(subject):
    """wrk's options for the subject's headers (the token), on every
    request, post.lua's POSTs included."""
    return [
        option
        for name, value in subject.headers().items()
        for option in ("--header", f"{name}: {value}")
    ]


@contextmanager
def _database_in_memory(subject):
    """The app's SQLite folder on tmpfs (/dev/shm) while gunicorn serves it.

    On a disk a write's cost was mostly the disk's (the baseline's rollback
    journal syncs twice a commit), which made two whole runs' POST ratios
    differ by 8 % and hid what the code spends: in memory, the baked POST
    turned out to hold SQLite's write lock through its answer (see
    edmunds/database/db.py). Without /dev/shm, the disk it is.
    """
    memory_root = Path("/dev/shm")
    if not memory_root.is_dir():
        yield
        return
    folder = subject.database.parent
    on_disk = folder.with_name(folder.name + ".on-disk")
    memory = Path(tempfile.mkdtemp(prefix="edmunds-bench-", dir=memory_root))
    shutil.copytree(folder, memory, dirs_exist_ok=True)
    folder.rename(on_disk)
    try:
        folder.symlink_to(memory, target_is_directory=True)
        yield
    finally:
        if folder.is_symlink():
            folder.unlink()
        on_disk.rename(folder)
        shutil.rmtree(memory, ignore_errors=True)


@contextmanager
def _gunicorn(subject):
    """(process, base URL) of `gunicorn --workers 2` serving the app, seeded,
    its database in memory meanwhile."""
    with _database_in_memory(subject), _serving(subject) as served:
        yield served


@contextmanager
def _serving(
    subject, wrapper=(), options=(), env=None, boot_timeout=60, listening=None
):
    """(process, base URL) of gunicorn serving the app, seeded; `wrapper`
    goes before the command (valgrind), `options` after gunicorn's own;
    `listening(server)` is called once the master accepts connections."""
    subject.seed()
    port = _free_port()
    log = tempfile.TemporaryFile("w+")
    server = subprocess.Popen(
        [
            *wrapper,
            str(subject.python),
            "-m",
            "gunicorn",
            "--workers",
            str(GUNICORN_WORKERS),
            *GUNICORN_WORKER_CLASS,
            *options,
            "--bind",
            f"127.0.0.1:{port}",
            subject.app_spec,
        ],
        cwd=subject.root,
        env={**subject.env(), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        if listening is not None:
            _wait_until_listening(server, port, boot_timeout)
            listening(server)
        _wait_until_up(server, log, base + READ_PATH, subject.headers(), boot_timeout)
        yield server, base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _server_cpu(pid):
    """User + system CPU seconds of a process and its children, from /proc."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            pending.extend(_children(current))
        except OSError:
            continue  # gone, or no /proc: counted as nothing
        # utime and stime, the 14th and 15th fields, in clock ticks.
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


# Requests counted per path, at most: they cost the same to a fraction of a
# per cent (see instructions()); under valgrind one takes up to a second.
COUNTED_REQUESTS = 20
# Requests before counting: the first ones fill caches and import lazily.
UNCOUNTED_REQUESTS = 5


def instructions(subject, requests, workdir):
    """Machine instructions a gunicorn worker executes per request.

    The worker runs under valgrind's callgrind, which counts every
    instruction the process executes, the interpreter's and SQLite's alike,
    whatever else the machine does: two runs agree to a fraction of a per
    cent, where requests per CPU second of a shared virtual machine moved by
    a quarter from one 2-second turn to the next (the CPU itself ran a plain
    loop 1.6 times faster in one second than in another). The kernel's work
    is not counted: the sockets, the same for both apps, and the files, where
    the baseline's rollback journal costs more than the baked WAL.

    Callgrind writes what it counted at each accept4() call of the worker,
    that is between requests (--dump-before): a dump per request, and a
    tiny one per idle wake-up: the requests' are the largest ones. The
    figure is the median of a path's requests:
    now and then one request also pays for a whole garbage collection (two
    to three requests' worth), and where it falls depends on everything the
    process allocated since it started. Returned as requests per billion
    instructions, so that the ratio reads as the throughput ratio does.

    Only the worker's requests are counted, so only they are instrumented:
    the master loads the app (``--preload``) with callgrind's
    instrumentation off, turns it on once it listens, then forks the worker
    (``--workers 0``, then SIGTTIN). Instrumented from the start, the app's
    boot cost about six times the CPU (46 s against 7.7 s for ``import
    wsgi`` on the 2026-12-07 machine), most of the smoke test's time.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"callgrind-{subject.name}-", dir=workdir))
    wrapper = (
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--dump-before=accept4",
        "--dump-instr=no",
        "--dump-line=no",
        f"--callgrind-out-file={folder}/out.%p",
        "--log-file=" + str(folder / "valgrind.log"),
    )
    # The last ones count; the worker comes once counting is on.
    options = ("--preload", "--workers", "0", "--timeout", "0")
    # The same hash seed for both apps and runs: set and dict orders, and so
    # the instructions, repeat.
    with (
        _database_in_memory(subject),
        _serving(
            subject,
            wrapper,
            options,
            env={"PYTHONHASHSEED": "0"},
            boot_timeout=600,
            listening=_count_a_new_worker,
        ) as (server, base),
    ):
        (worker,) = _children(server.pid)
        figures = {}
        for key, method, path, body in (
            ("loop_read_instr", "GET", READ_PATH, None),
            ("loop_write_instr", "POST", WRITE_PATH, WRITE_BODY),
        ):
            headers = subject.headers()
            for _ in range(UNCOUNTED_REQUESTS):
                _request(method, base + path, body, headers)
            before = _dumps_after(folder, worker, time.time())
            for _ in range(requests):
                _request(method, base + path, body, headers)
            dumps = sorted(
                (
                    count
                    for number, count in _dumps_after(
                        folder, worker, time.time()
                    ).items()
                    if number not in before
                ),
                reverse=True,
            )
            # One dump per request; the others are idle wake-ups, tens of
            # thousands of instructions against a request's millions.
            counted, idle = dumps[:requests], dumps[requests:]
            median = statistics.median(counted)
            if len(counted) < requests or (idle and idle[0] > median / 10):
                raise BenchError(
                    f"{subject.name}: {len(dumps)} callgrind dumps for {requests} "
                    f"requests of {method} {path} do not tell the requests: {folder}"
                )
            figures[key] = 1e9 / median
    return figures


def _count_a_new_worker(server):
    """Callgrind's instrumentation on in gunicorn's master, then one worker
    forked from it, instrumented from its first instruction."""
    completed = subprocess.run(
        ["callgrind_control", "--instr=on", str(server.pid)],
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0 or "OK" not in completed.stdout:
        raise BenchError(
            f"callgrind_control --instr=on {server.pid} failed: "
            f"{(completed.stdout + completed.stderr).strip()}"
        )
    server.send_signal(signal.SIGTTIN)


def _children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def _dumps_after(folder, pid, answered, timeout=120):
    """{dump number: instructions} of what callgrind wrote for `pid`, once it
    has written everything up to the `answered` time.

    The worker writes the dump of a request after answering it, then one
    each time it wakes up idle (every 0.5 s with --timeout 0): two dumps
    finished after the answer mean that the request's is complete.
    """
    deadline = time.monotonic() + timeout
    counts = {}  # number: (instructions, file)
    while True:
        for dump in folder.glob(f"out.{pid}.*"):
            number = int(dump.suffix[1:])
            if number in counts:
                continue
            # Callgrind writes the dump's total in its header, first.
            with dump.open("rb") as opened:
                header = opened.read(4096)
            summary = re.search(rb"^summary: (\d+)$", header, re.M)
            if summary is not None:  # None: still being written
                counts[number] = (int(summary.group(1)), dump)
        after = sum(dump.stat().st_mtime >= answered for _, dump in counts.values())
        if after >= 2:
            return {number: count for number, (count, _) in counts.items()}
        if time.monotonic() > deadline:
            raise BenchError(f"callgrind wrote nothing more in {timeout} s: {folder}")
        time.sleep(0.1)


def _request(method, url, body=None, headers=None):
    request = urllib.request.Request(
        url,
        data=body and body.encode(),
        method=method,
        headers={
            **(headers or {}),
            **({"Content-Type": "application/json"} if body else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        response.read()


def growth(subject, count, workdir):
    """`db migrate` then `db upgrade` with `count` new models over two instances."""
    grown = subject.with_second_instance(workdir / f"{subject.name}-{count}")
    before = grown.tables()
    grown.add_models(count)
    figures = {
        **timed(f"migrate_{count}", grown, grown.cli("db", "migrate", "-m", "grow")),
        **timed(f"upgrade_{count}", grown, grown.cli("db", "upgrade")),
    }
    added = grown.tables() - before
    if len(added) != count:
        raise BenchError(
            f"{subject.name}: {count} models were added but the migration made "
            f"{len(added)} tables"
        )
    shutil.rmtree(grown.root)
    return figures


def bake_time(subject):
    """A default bake from the command line, into an empty folder."""
    with tempfile.TemporaryDirectory() as output:
        return timed("bake", subject, bake_argv(output))


def clone_to_green(route):
    """A clone of the baked project taken to green tests by one route."""
    return timed("clone", route, route.argv())


def suite_time(subject):
    """The baked project's own tests, run the way its README says."""
    argv = [subject.python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return timed("suite", subject, argv)


def _free_port():
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def _wait_until_listening(server, port, timeout):
    """Until gunicorn's master accepts connections: with ``--preload``, once
    it has loaded the app."""
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if server.poll() is not None or time.monotonic() > deadline:
            raise BenchError(f"gunicorn did not listen on port {port} in {timeout} s")
        time.sleep(0.2)


def _wait_until_up(server, log, url, headers, timeout=60):
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers=headers)
    while True:
        try:
            # Until the deadline: gunicorn listens before its worker is up,
            # and a request given up on would still be served later.
            wait = max(1, deadline - time.monotonic())
            with urllib.request.urlopen(request, timeout=wait) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None:
            log.seek(0)
            errors = log.read().strip().splitlines()
            raise BenchError(f"gunicorn exited: {errors[-1] if errors else '?'}")
        if time.monotonic() > deadline:
            raise BenchError(f"gunicorn did not answer {url} in {timeout} s")
        time.sleep(0.2)


def _wrk(url, seconds, connections, *options):
    completed = subprocess.run(
        [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "5s",
            *map(str, options),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    report = completed.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", report)
    if completed.returncode != 0 or rate is None:
        raise BenchError(f"wrk failed on {url}: {completed.stderr.strip()}")
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    errors = re.search(r"Socket errors: (.*)", report)
    if failures or errors:
        raise BenchError(
            f"wrk on {url}: "
            + "; ".join(
                found.group(0) for found in (failures, errors) if found is not None
            )
        )
    count = re.search(r"(\d+) requests in", report)
    return float(rate.group(1)), int(count.group(1))
