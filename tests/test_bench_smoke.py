"""The benchmark, run end to end on tiny sizes so that it cannot rot.

No figure is checked (a shared machine makes them noise at this size): only
that every measure ran on both apps and was reported.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TEMPLATE_DIR, unavailable

pytestmark = pytest.mark.xdist_group("bench")

SIZES = (2,)


def bench(*args, timeout=1500):
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def table_rows(report):
    """The rows of the first Markdown table, as lists of cells."""
    rows = []
    for line in report.splitlines():
        if line.startswith("| ") and not line.startswith(("| Metric", "| ---")):
            rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
        elif rows:
            break
    return rows


def test_every_figure_is_measured_and_reported(tmp_path):
    for tool in ("wrk", "valgrind"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed: apt-get install {tool} (Debian)")
    output = tmp_path / "BENCHMARKS.md"

    completed = bench(
        *("--repeat", "1", "--pairs", "1", "--requests", "2", "--duration", "1"),
        *("--sizes", ",".join(map(str, SIZES)), "--output", str(output), "--keep"),
    )

    (workdir,) = re.findall(r"^bench: the work folder is (.+)$", completed.stderr, re.M)
    try:
        assert completed.returncode == 0, completed.stderr
        # The README's pip route made its venv on the bake's Python.
        (venv_python,) = Path(workdir).glob("clone-pip/*/.venv/bin/python")
        version = subprocess.run(
            [venv_python, "--version"], capture_output=True, text=True
        ).stdout
        expected = (venv_python.parents[2] / ".python-version").read_text().strip()
        assert version.startswith(f"Python {expected}."), version
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = output.read_text()
    assert "Command: `scripts/bench.sh --repeat 1" in report
    assert re.search(r"Machine: \d+ cores .*Python 3\.\d+", report)
    rows = {row[0]: row for row in table_rows(report)}
    growth = {
        f"db {command}, {size} models"
        for size in SIZES
        for command in ("migrate", "upgrade")
    }
    compared = {
        "Boot: fresh interpreter builds the app",
        "CLI: db --help",
        "CLI: db current",
        "Peak memory (max RSS)",
        "In-process GET 100 users",
        "In-process POST a user",
        "gunicorn GET 100 users",
        "gunicorn POST a user",
        "gunicorn GET 100 users, per instruction",
        "gunicorn POST a user, per instruction",
        *growth,
    }
    # Shown without a verdict: the rows per instruction decide.
    informative = {"gunicorn GET 100 users", "gunicorn POST a user"}
    absolute = {"Default bake (cookiecutter --no-input)", "Baked project's test suite"}
    assert set(rows) == compared | absolute
    for label in compared:
        _label, baked, baseline, ratio, cpu_ratio, target, verdict = rows[label]
        assert float(ratio) > 0, rows[label]
        if label in informative:
            assert (target, verdict) == ("", ""), rows[label]
        else:
            assert verdict in ("met", "MISSED"), rows[label]
        # Memory is no time, nor are instructions; wrk loads a server, not a
        # process of ours.
        if label != "Peak memory (max RSS)" and not label.startswith("gunicorn"):
            assert float(cpu_ratio) > 0, rows[label]
    # Instructions per request, counted: some millions for a request.
    for label in (
        "gunicorn GET 100 users, per instruction",
        "gunicorn POST a user, per instruction",
    ):
        for cell in rows[label][1:3]:
            per_request = re.fullmatch(
                r"[\d.]+ req/G instr \(([\d.]+) M per request\)", cell
            )
            assert per_request and 0.1 < float(per_request.group(1)) < 1000, rows[label]
    for label in absolute:
        _label, baked, *_, verdict = rows[label]
        assert baked.endswith(" s") and verdict in ("met", "MISSED"), rows[label]
    # The same table is printed.
    for label in rows:
        assert label in completed.stdout
    # uv against pip, side by side, from a clone to green tests.
    (clone,) = [line for line in report.splitlines() if line.startswith("| Clone")]
    _label, uv, pip, ratio, cpu_ratio, _target, verdict = [
        cell.strip() for cell in clone.strip("|").split(" | ")
    ]
    assert uv.endswith(" s") and pip.endswith(" s"), clone
    assert float(ratio) > 0 and float(cpu_ratio) > 0 and verdict in ("met", "MISSED")
    assert "Clone to green tests" in completed.stdout


@pytest.mark.parametrize(
    ("option", "error"),
    [
        (("--sizes", "ten"), "'ten' is not a list like 10,100,500"),
        (("--only", "load,speed"), "'load,speed' names no measure of boot,cli,"),
        (("--pairs", "0"), "--pairs, --requests, --duration and --connections"),
    ],
)
def test_a_bad_option_is_one_line_and_writes_nothing(tmp_path, option, error):
    output = tmp_path / "BENCHMARKS.md"

    completed = bench(*option, "--output", str(output), timeout=60)

    assert completed.returncode == 2
    assert error in completed.stderr.strip().splitlines()[-1]
    assert not output.exists()


def test_only_a_part_and_its_steadiness_leave_the_rest_of_the_file(tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    kept = "## The template's test suite\n\nMeasured by hand.\n"
    output.write_text(f"# Benchmarks\n\nThe last whole run.\n\n{kept}")

    completed = bench(
        *("--only", "boot", "--repeat", "1", "--pairs", "1", "--steadiness"),
        *("--output", str(output)),
    )

    assert completed.returncode == 0, completed.stderr
    report = output.read_text()
    assert report.startswith("# Benchmarks\n\nThe last whole run.\n\n## Steadiness\n")
    assert report.endswith(kept)
    (row,) = [line for line in report.splitlines() if line.startswith("| Boot")]
    cells = [cell.strip() for cell in row.strip("|").split(" | ")]
    ratios = [float(cells[i]) for i in (1, 2, 4, 5)]
    assert all(ratio > 0 for ratio in ratios), row
    assert cells[3].endswith(" %") and cells[6].endswith(" %"), row
    assert table_rows(report.split("## Steadiness", 1)[1]) == [cells]  # boot alone
