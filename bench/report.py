"""Samples in, medians and ratios out: the printed table and BENCHMARKS.md."""

import statistics
from dataclasses import dataclass

BAKED, BASELINE = "baked", "baseline"
# Requests per 10^9 instructions of the gunicorn worker (measures.instructions).
INSTRUCTION_UNIT = "req/G instr"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    higher_is_better: bool = False
    # Baked / baseline: at most this (or at least, when higher is better).
    ratio_target: float | None = None
    # Baked only, no baseline: at most this many units.
    limit: float | None = None

    def target_text(self):
        if self.limit is not None:
            return f"< {self.limit:g} {self.unit}"
        if self.ratio_target is None:
            return ""
        sign = ">=" if self.higher_is_better else "<="
        return f"{sign} {self.ratio_target:.2f}"

    def met(self, baked, ratio):
        if self.limit is not None:
            return baked < self.limit
        if self.higher_is_better:
            return ratio >= self.ratio_target
        return ratio <= self.ratio_target


def metrics(sizes):
    fixed = [
        Metric(
            "boot", "Boot: fresh interpreter builds the app", "s", ratio_target=1.10
        ),
        Metric("cli_help", "CLI: db --help", "s", ratio_target=1.10),
        Metric("cli_current", "CLI: db current", "s", ratio_target=1.10),
        Metric("rss", "Peak memory (max RSS)", "MiB", ratio_target=1.10),
        # 0.90: the baked API validates and documents every request through
        # flask-smorest (issue 15), which the baseline does by hand.
        Metric("inproc_read", "In-process GET 100 users", "req/s", True, 0.90),
        Metric("inproc_write", "In-process POST a user", "req/s", True, 0.90),
        # Under gunicorn, shown without a verdict: on a shared virtual machine
        # neither the wall clock nor CPU seconds repeat within 5 % (issue 15).
        # The instructions a request costs do, and decide.
        Metric("loop_read", "gunicorn GET 100 users", "req/s", True),
        Metric("loop_write", "gunicorn POST a user", "req/s", True),
        Metric(
            "loop_read_instr",
            "gunicorn GET 100 users, per instruction",
            INSTRUCTION_UNIT,
            True,
            0.90,
        ),
        Metric(
            "loop_write_instr",
            "gunicorn POST a user, per instruction",
            INSTRUCTION_UNIT,
            True,
            0.90,
        ),
    ]
    growth = [
        Metric(f"{command}_{size}", f"db {command}, {size} models", "s", False, 1.10)
        for size in sizes
        for command in ("migrate", "upgrade")
    ]
    template = [
        Metric("bake", "Default bake (cookiecutter --no-input)", "s", limit=1.0),
        Metric("suite", "Baked project's test suite", "s", limit=3.0),
    ]
    return fixed + growth + template


class Results:
    """Every sample, by metric key then app; and why a metric was skipped."""

    def __init__(self):
        self.samples = {}
        self.skipped = {}

    def add(self, subject, values):
        for key, value in values.items():
            self.samples.setdefault(key, {}).setdefault(subject, []).append(value)

    def skip(self, keys, reason):
        for key in keys:
            self.skipped[key] = reason

    def median(self, key, subject):
        values = self.samples.get(key, {}).get(subject)
        return statistics.median(values) if values else None

    def ratio(self, key, mine=BAKED, theirs=BASELINE):
        """Median of the per-round ratios baked / baseline (or mine / theirs).

        The two runs of a round are next to each other in time: their ratio
        cancels most of what the rest of the machine was doing then.
        """
        baked = self.samples.get(key, {}).get(mine)
        baseline = self.samples.get(key, {}).get(theirs)
        if not baked or not baseline:
            return None
        return statistics.median(
            mine / theirs for mine, theirs in zip(baked, baseline, strict=True)
        )

    def skip_notes(self):
        return [f"Skipped: {reason}" for reason in sorted(set(self.skipped.values()))]


def rows(results, sizes):
    """One row per metric, the cells of HEADER."""
    table = []
    for metric in metrics(sizes):
        baked = results.median(metric.key, BAKED)
        if metric.key in results.skipped:
            table.append(
                [metric.label, "", "", "", "", metric.target_text(), "skipped"]
            )
            continue
        if baked is None:
            continue  # not measured in this run (--only)
        baseline = results.median(metric.key, BASELINE)
        ratio = results.ratio(metric.key)
        cpu_ratio = results.ratio(f"{metric.key}_cpu")
        if not metric.target_text():
            verdict = ""
        # Judged as shown: targets have two decimals too.
        elif metric.met(baked, round(ratio or 0, 2)):
            verdict = "met"
        else:
            verdict = "MISSED"
        table.append(
            [
                metric.label,
                _value(baked, metric.unit),
                _value(baseline, metric.unit) if baseline else "",
                f"{ratio:.2f}" if ratio else "",
                f"{cpu_ratio:.2f}" if cpu_ratio else "",
                metric.target_text(),
                verdict,
            ]
        )
    return table


HEADER = ["Metric", "Baked", "Baseline", "Ratio", "CPU ratio", "Target", "Verdict"]


def text_table(table):
    widths = [max(map(len, column)) for column in zip(HEADER, *table, strict=True)]
    lines = [
        "  ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in [HEADER, *table]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(table):
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    for row in table:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines)


def growth_table(results, sizes):
    """Time per added model between sizes: flat means linear growth."""
    lines = [
        "| Command | App | "
        + " | ".join(f"{size} models" for size in sizes)
        + " | ms per model, step by step |",
        "|" + " --- |" * (len(sizes) + 3),
    ]
    for command in ("migrate", "upgrade"):
        for subject in (BAKED, BASELINE):
            times = [results.median(f"{command}_{size}", subject) for size in sizes]
            if None in times:
                continue
            points = list(zip(sizes, times, strict=True))
            steps = [
                f"{1000 * (later - earlier) / (big - small):.1f}"
                for (small, earlier), (big, later) in zip(
                    points, points[1:], strict=False
                )
            ]
            cells = [f"{value:.2f} s" for value in times]
            lines.append(
                f"| db {command} | {subject} | "
                + " | ".join(cells)
                + f" | {', '.join(steps) or '-'} |"
            )
    return "\n".join(lines)


# Clone to green: the baked README's uv route against its pip route.
CLONE_ROUTES = ("uv", "pip")
CLONE_TARGET = 0.5


def clone_table(results):
    """uv and pip side by side, from a clone to green tests, with the ratio."""
    uv, pip = (results.median("clone", route) for route in CLONE_ROUTES)
    if uv is None or pip is None:
        return ""
    ratio = results.ratio("clone", *CLONE_ROUTES)
    cpu_ratio = results.ratio("clone_cpu", *CLONE_ROUTES)
    verdict = "met" if round(ratio, 2) <= CLONE_TARGET else "MISSED"
    return "\n".join(
        [
            "| Metric | uv | pip | Ratio | CPU ratio | Target | Verdict |",
            "|" + " --- |" * 7,
            f"| Clone to green tests | {uv:.1f} s | {pip:.1f} s | {ratio:.2f} | "
            f"{cpu_ratio:.2f} | <= {CLONE_TARGET:.2f} | {verdict} |",
        ]
    )


def _value(value, unit):
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "req/s":
        return f"{value:.0f} req/s"
    if unit == INSTRUCTION_UNIT:
        # Beside it, what a reader thinks in: instructions per request.
        return f"{value:.1f} {unit} ({1000 / value:.1f} M per request)"
    return f"{value:.1f} {unit}"
