"""The benchmark: the baked project against the hand-written baseline.

    scripts/bench.sh [--repeat N] [--sizes 10,100,500] [--output FILE] ...

Bakes the default project, prepares bench/baseline next to it, then takes
every measure in rounds: within a round each measure runs in pairs, one run
of each app, the app that goes first alternating from pair to pair, so that
a machine busy with something else slows both alike. Prints the medians
as a table and writes them to BENCHMARKS.md.
"""

import argparse
import datetime
import os
import platform
import re
import shlex
import shutil
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from bench import measures
from bench.report import (
    CLONE_ROUTES,
    Results,
    clone_table,
    growth_table,
    markdown_table,
    rows,
    text_table,
)
from bench.steadiness import HEADING as STEADINESS_SECTION
from bench.steadiness import steadiness_section
from bench.subjects import (
    BENCH_DIR,
    TEMPLATE_DIR,
    BakedProject,
    Baseline,
    BenchError,
    CloneRoute,
)
from tests.conftest import UV, interpreter, project_python

# The measures, by the name --only knows them by.
QUICK_STEPS = {
    "boot": measures.boot,
    "cli": measures.cli,
    "memory": measures.peak_memory,
}
MEASURES = (
    *QUICK_STEPS,
    "requests",
    "load",
    "instructions",
    "growth",
    "bake",
    "suite",
    "clone",
)
QUICK_PAIRS = 3
INPROCESS_KEYS = ("inproc_read", "inproc_write")
LOOPBACK_KEYS = ("loop_read", "loop_write")
INSTRUCTION_KEYS = ("loop_read_instr", "loop_write_instr")
# Clone to green takes tens of seconds by pip: measured in the first rounds.
CLONE_ROUNDS = 3


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="scripts/bench.sh",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument(
        "--pairs",
        type=int,
        default=QUICK_PAIRS,
        help=f"pairs of runs per round of boot, CLI and memory (default {QUICK_PAIRS})",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[10, 100, 500],
        help="generated model counts for the growth figures (default 10,100,500)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=500,
        help="requests per in-process figure (default 500); instructions are "
        f"counted on at most {measures.COUNTED_REQUESTS} of them",
    )
    parser.add_argument(
        "--duration",
        type=int,
        # 5 s gave POST ratios of 0.80, 1.25 and 1.29 in three runs on one
        # machine: too short for wrk to average out a shared machine.
        default=10,
        help="seconds of load per loopback figure (default 10)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=4,
        help="wrk's open connections (default 4)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where the results are written (default BENCHMARKS.md)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder and say where"
    )
    parser.add_argument(
        "--only",
        type=_measures,
        default=MEASURES,
        help=f"a subset of the measures, e.g. --only load (of {','.join(MEASURES)});"
        " printed, and written only where --output says",
    )
    parser.add_argument(
        "--steadiness",
        action="store_true",
        help="run the measures twice, one whole run after the other, and write "
        "how far apart the two runs' ratios are as the Steadiness section of "
        "the output, the rest of it left as it is",
    )
    args = parser.parse_args(argv)
    args.subset = args.only != MEASURES
    args.output_given = args.output is not None
    if args.output is None:
        args.output = TEMPLATE_DIR / "BENCHMARKS.md"
    if min(args.repeat, args.pairs, args.requests, args.duration, args.connections) < 1:
        parser.error(
            "--repeat, --pairs, --requests, --duration and --connections"
            " must be at least 1"
        )
    return args


def _measures(text):
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(MEASURES))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"{text!r} names no measure of {','.join(MEASURES)}"
        )
    return tuple(name for name in MEASURES if name in chosen)


def _sizes(text):
    try:
        sizes = sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list like 10,100,500"
        ) from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("model counts must be at least 1")
    return sizes


def main(argv=None):
    args = parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="edmunds-bench-"))
    runs = []
    try:
        # Steadiness: two whole runs, each on a bake and a baseline of its own.
        for number in (1, 2) if args.steadiness else (None,):
            if number:
                log(f"steadiness: run {number} of 2")
            folder = workdir / f"run-{number}" if number else workdir
            folder.mkdir(exist_ok=True)
            machine = {"load_before": os.getloadavg()}
            results, python_version = benchmark(args, folder)
            machine["load_after"] = os.getloadavg()
            machine["python"] = python_version
            runs.append((results, machine))
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"bench: the work folder is {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    for results, _machine in runs:
        clone = clone_table(results)
        table = rows(results, args.sizes)
        print("\n".join([text_table(table), *results.skip_notes()]))
        if clone:
            print(f"\n{clone}")
    if args.steadiness:
        command = shlex.join(["scripts/bench.sh", *sys.argv[1:]])
        section = steadiness_section(args, runs, command)
        print(f"\n{section}")
        text = args.output.read_text() if args.output.is_file() else ""
        args.output.write_text(with_section(text, STEADINESS_SECTION, section))
    elif args.subset and not args.output_given:
        # A part of the figures: BENCHMARKS.md keeps the whole run it has.
        return 0
    else:
        ((results, machine),) = runs
        table = rows(results, args.sizes)
        args.output.write_text(markdown(args, results, table, machine))
    print(f"\nWritten to {args.output}")
    return 0


def benchmark(args, workdir):
    only = set(args.only)
    log("baking the default project and preparing the baseline")
    baked = BakedProject.bake(workdir, partial(project_python, compile_project=False))
    check_pins(baked)
    baseline = Baseline.prepare(workdir / "baseline", baked.python)
    subjects = (baked, baseline)
    # The requests' tokens; the copies the growth figures make need none.
    for subject in subjects:
        subject.mint_token()
    routes = clone_routes(baked, workdir) if "clone" in only else []
    results = Results()

    api = loopback = counting = None
    if only & {"requests", "load", "instructions"}:
        api = measures.api_problem(baked) or measures.api_problem(baseline)
    if api:
        results.skip(INPROCESS_KEYS if "requests" in only else (), api)
    # Both serve the app with gunicorn: checked once.
    served = None
    if only & {"load", "instructions"}:
        served = api or measures.gunicorn_problem(baked)
    if "load" in only:
        loopback = served or measures.missing_tool("wrk")
        if loopback:
            results.skip(LOOPBACK_KEYS, loopback)
    if "instructions" in only:
        counting = served or measures.missing_tool("valgrind")
        if counting:
            results.skip(INSTRUCTION_KEYS, counting)
    for reason in {api, loopback, counting} - {None}:
        log(f"request figures skipped: {reason}")

    # (measure, pairs of runs per round). Boot, CLI and memory take a
    # fraction of a second and must show a few per cent: several pairs.
    quick = [step for name, step in QUICK_STEPS.items() if name in only]
    steps = [(step, args.pairs) for step in quick]
    if "requests" in only and not api:
        steps.append((partial(measures.in_process, count=args.requests), 1))
    for size in args.sizes if "growth" in only else ():
        steps.append((partial(measures.growth, count=size, workdir=workdir), 1))
    # Takes both apps at once (measures.loopback says why).
    load = None
    if "load" in only and not loopback:
        load = partial(
            measures.loopback, seconds=args.duration, connections=args.connections
        )

    # Untimed: the first run of a command pays for compiling bytecode and
    # filling the page cache, which no later run does.
    for subject in subjects:
        for step in quick:
            step(subject)
    pairs = 0
    for round_number in range(args.repeat):
        log(f"round {round_number + 1} of {args.repeat}")
        for step, count in steps:
            for _ in range(count):
                # Which app goes first alternates from one pair to the next.
                pairs += 1
                for subject in subjects if pairs % 2 else subjects[::-1]:
                    results.add(subject.name, step(subject))
        if load is not None:
            pairs += 1
            for name, figures in load(
                subjects if pairs % 2 else subjects[::-1]
            ).items():
                results.add(name, figures)
        if "bake" in only:
            results.add(baked.name, measures.bake_time(baked))
        if "suite" in only:
            results.add(baked.name, measures.suite_time(baked))
        if round_number < CLONE_ROUNDS:
            for route in routes if round_number % 2 else routes[::-1]:
                results.add(route.name, measures.clone_to_green(route))
    if "instructions" in only and not counting:
        # Once: the count repeats to a fraction of a per cent (measures.py).
        log("instructions per request, under valgrind")
        count = partial(
            measures.instructions,
            requests=min(args.requests, measures.COUNTED_REQUESTS),
            workdir=workdir,
        )
        # Side by side: counted instructions do not depend on the machine's load.
        with ThreadPoolExecutor(len(subjects)) as pool:
            counted = list(pool.map(count, subjects))
        for subject, figures in zip(subjects, counted, strict=True):
            results.add(subject.name, figures)
    version = baked.run([baked.python, "-c", "import sys; print(sys.version)"])
    return results, version.stdout.split()[0]


def clone_routes(baked, workdir):
    version = (baked.root / ".python-version").read_text().strip()
    python = interpreter(version)
    if python is None or UV is None:
        raise BenchError(
            f"clone to green needs Python {version} and uv: run scripts/bench.sh"
        )
    return [CloneRoute(name, baked, workdir, python, UV) for name in CLONE_ROUTES]


def check_pins(baked):
    """The baseline runs on the baked project's venv: its pins must agree."""
    ours = _pins((BENCH_DIR / "baseline" / "requirements.txt").read_text().splitlines())
    project = tomllib.loads((baked.root / "pyproject.toml").read_text())["project"]
    theirs = _pins(project["dependencies"])
    differ = {name: pin for name, pin in ours.items() if theirs.get(name) != pin}
    if differ:
        raise BenchError(
            "bench/baseline/requirements.txt differs from the baked project's "
            f"pyproject.toml on {', '.join(sorted(differ))}: align the pins"
        )


def _pins(requirements):
    pins = {}
    for line in requirements:
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def markdown(args, results, table, machine):
    command = shlex.join(["scripts/bench.sh", *sys.argv[1:]])
    facts = [
        f"Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"Machine: {os.cpu_count()} cores ({_cpu_model()}), {platform.system()} "
        f"{platform.release()}, Python {machine['python']}",
        f"Command: `{command}`",
        f"Medians of {args.repeat} interleaved rounds ({args.pairs} pairs of runs "
        f"per round for boot, CLI and memory); {args.requests} requests "
        f"per in-process figure; {args.duration} s of wrk with "
        f"{args.connections} connections against {measures.GUNICORN_WORKERS} "
        "gunicorn workers on 127.0.0.1, both apps served at once and loaded "
        f"in turns of {measures.SLICE_SECONDS} s"
        + (
            "; instructions counted once, the median of "
            f"{min(args.requests, measures.COUNTED_REQUESTS)} requests per path "
            "to one worker under valgrind."
            if results.samples.get("loop_read_instr")
            else "."
        ),
        f"Load average (1, 5, 15 min) before: {_load(machine['load_before'])}; "
        f"after: {_load(machine['load_after'])}. On a machine shared with other "
        "work the figures are noisy: the two apps are interleaved so that both "
        "meet the same noise, which keeps the ratios steadier than the figures.",
    ]
    sections = [
        INTRODUCTION,
        "\n".join(f"- {fact}" for fact in facts),
        markdown_table(table),
        *results.skip_notes(),
        *_console_note(results),
        CLONE_INTRODUCTION.format(rounds=min(args.repeat, CLONE_ROUNDS)),
        clone_table(results),
        GROWTH_INTRODUCTION,
        growth_table(results, args.sizes),
        *kept_sections(args.output),
    ]
    return "\n\n".join(sections) + "\n"


# Measured by the suite's own command, not by this benchmark: a new
# BENCHMARKS.md keeps the section as it was.
SUITE_SECTION = "## The template's test suite"
# Written from scripts/drill.sh's last line, kept the same way.
DRILL_SECTION = "## Rolling deploy drill"
# Counted by hand with callgrind when the migrations change (issue 23).
MIGRATION_COST_SECTION = "## What the migrations' checks cost"
# Issue 26's logs and traces, before and after, by callgrind: kept the same way.
LOGS_SECTION = "## Logs and traces"
# What edmunds/http/schema.py's dump compiler saves, by callgrind (issue 24).
DUMP_COMPILER_SECTION = "## The schemas' dump compiler"
# Issue 24's boot and the baked suite, by callgrind and by hand: kept.
BOOT_SECTION = "## Boot and the baked suite"
# Written by --steadiness, kept by a whole run.
KEPT_SECTIONS = (
    STEADINESS_SECTION,
    DRILL_SECTION,
    MIGRATION_COST_SECTION,
    LOGS_SECTION,
    DUMP_COMPILER_SECTION,
    BOOT_SECTION,
    SUITE_SECTION,
)


def kept_sections(path):
    text = path.read_text() if path.is_file() else ""
    return [
        text[start:end].rstrip()
        for start, end in map(partial(_section, text), KEPT_SECTIONS)
        if start is not None
    ]


def with_section(text, heading, section):
    """``text`` with its ``heading`` section replaced by ``section``, or the
    section added before the suite's (or at the end)."""
    start, end = _section(text, heading)
    if start is None:
        start, _ = _section(text, SUITE_SECTION)
        start = end = len(text) if start is None else start
    parts = [text[:start].strip(), section.strip(), text[end:].strip()]
    return "\n\n".join(part for part in parts if part) + "\n"


def _section(text, heading):
    """(start, end) of the section under ``heading``, or (None, None)."""
    found = re.search(f"^{re.escape(heading)}$", text, re.M)
    if found is None:
        return None, None
    after = re.search("^## ", text[found.end() :], re.M)
    return found.start(), len(text) if after is None else found.end() + after.start()


INTRODUCTION = """\
# Benchmarks

The default bake of this template against [`bench/baseline`](bench/baseline/app.py),
the same API written straight on Flask, Flask-SQLAlchemy, Flask-Migrate and
Flask-Security (a token on every `/api/` route, as the baked API wants), in
the same run, on the same interpreter and packages. A ratio is baked / baseline:
below 1 the baked project is faster (or smaller), except for throughput
(req/s), where above 1 is faster. Each round runs the two apps one after the
other; a ratio is the median over the rounds of the two runs' ratio, so it
can differ a little from the ratio of the two medians beside it. The CPU
ratio compares the user + system time of the processes instead of the wall
clock: other work on the machine barely moves it. Under gunicorn neither
is sure to repeat within 5 % on a shared virtual machine, whose CPU itself
runs faster in one second than in the next (see Steadiness below, when
`--steadiness` has written it): there the rows "per instruction" decide.
They count, with valgrind, the machine instructions one gunicorn worker
executes per request, and give them as requests per 10^9 instructions, so
that their ratio reads as a throughput ratio; two runs give the same count
to a fraction of a per cent. This file is written by
the command below; [`bench/README.md`](bench/README.md) says how each figure
is taken and how to find where the time goes when a target is missed.

In-process writes and `db upgrade` also compare two ways of using SQLite:
the baked project's driver turns on WAL and runs each migration in one
transaction, while the baseline keeps SQLite's defaults (a rollback journal;
a commit, so a sync to disk, per DDL statement). Those ratios show what that
choice is worth on this disk, not what the Edmunds layer costs. Under
gunicorn both apps' databases are in memory (/dev/shm), so that those rows
show what the code spends, not the disk."""

CLONE_INTRODUCTION = """\
## Clone to green

A teammate's first minutes: from `git clone` of the baked project to its
tests passing, by the baked README's own commands, in the same rounds. uv:
`uv sync --locked` then `uv run pytest`, from `uv.lock`. pip: a venv, pip
25.1 or newer, `pip install -e . --group dev`, then `pytest`. Both with their
download caches as this machine has them (warm after the first run), medians
of {rounds} runs each, the route that goes first alternating. The ratio is
uv / pip."""

GROWTH_INTRODUCTION = """\
## Growth

Time to autogenerate (`db migrate`) and apply (`db upgrade`) a revision that
adds the models, every other one on a second database instance. Constant
milliseconds per model from one size to the next mean the cost grows linearly."""


def _console_note(results):
    boot = results.median("boot", "baked")
    if boot is None:
        return []
    return [
        "The original Edmunds console ran every command again in a second "
        "interpreter, started through a shell: one more boot per command, "
        f"{boot:.3f} s here, a CLI ratio near 2. `manage.py` runs Flask's CLI "
        "in its own process, hence CLI ratios near 1."
    ]


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def _load(averages):
    return ", ".join(f"{value:.2f}" for value in averages)


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)
