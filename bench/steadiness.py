"""Two whole runs of the same measures side by side: are the ratios steady
enough to judge by? (`scripts/bench.sh --steadiness`)"""

import datetime

from bench import measures
from bench.report import metrics

HEADING = "## Steadiness"
# Two runs whose ratios differ by more than this cannot tell a miss of a
# few per cent from noise (issue 15 asks it of the gunicorn figures).
AGREEMENT = 0.05

INTRODUCTION = """\
The same measures run twice, one whole run after the other, each on a bake
and a baseline of its own, by the command below. Apart is how much the
larger of the two runs' ratios exceeds the smaller; the two runs agree when
it is at most {agreement}. Requests per wall second under gunicorn follow
whatever else the machine runs meanwhile, and requests per CPU second
follow how fast the machine's CPU runs that second; the rows "per
instruction" count what the code executes, and are the ones to judge the
API's cost by under gunicorn."""

HEADER = (
    "| Metric | Ratio, run 1 | Ratio, run 2 | Apart | CPU ratio, run 1 "
    "| CPU ratio, run 2 | Apart | Agree within {agreement} |"
)


def steadiness_section(args, runs, command):
    """The Markdown section: when, how, and the ratios of both runs."""
    (first, first_machine), (second, second_machine) = runs
    facts = [
        f"Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"Command: `{command}`",
        f"Each run: medians of {args.repeat} interleaved rounds; "
        f"{args.duration} s of wrk with {args.connections} connections per "
        "figure under gunicorn, after an untimed warm-up, both apps served at "
        f"once and loaded in turns of {measures.SLICE_SECONDS} s"
        + (
            "; instructions counted once per run under valgrind."
            if first.samples.get("loop_read_instr")
            else "."
        ),
        *(
            f"Load average (1, 5, 15 min), run {number}: before "
            f"{_load(machine['load_before'])}, after {_load(machine['load_after'])}."
            for number, machine in ((1, first_machine), (2, second_machine))
        ),
    ]
    lines = [
        HEADER.format(agreement=_percent(AGREEMENT)),
        "|" + " --- |" * 8,
    ]
    for metric in metrics(args.sizes):
        ratios = [run.ratio(metric.key) for run in (first, second)]
        cpu_ratios = [run.ratio(f"{metric.key}_cpu") for run in (first, second)]
        if None in ratios:
            continue
        wall, cpu = _apart(ratios), _apart(cpu_ratios)
        agree = [
            name
            for name, apart in (("ratio", wall), ("CPU ratio", cpu))
            if apart is not None and apart <= AGREEMENT
        ]
        cells = [
            metric.label,
            f"{ratios[0]:.2f}",
            f"{ratios[1]:.2f}",
            _percent(wall, 1),
            _cell(cpu_ratios[0]),
            _cell(cpu_ratios[1]),
            "" if cpu is None else _percent(cpu, 1),
            " and ".join(agree) if agree else "no",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n\n".join(
        [
            HEADING,
            INTRODUCTION.format(agreement=_percent(AGREEMENT)),
            "\n".join(f"- {fact}" for fact in facts),
            "\n".join(lines),
        ]
    )


def _apart(pair):
    if None in pair or min(pair) <= 0:
        return None
    return max(pair) / min(pair) - 1


def _percent(fraction, decimals=0):
    return f"{100 * fraction:.{decimals}f} %"


def _cell(value):
    return "" if value is None else f"{value:.2f}"


def _load(averages):
    return ", ".join(f"{value:.2f}" for value in averages)
