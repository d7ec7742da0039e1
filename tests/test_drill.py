"""The rolling-deploy drill (scripts/drill.sh): three gunicorn replicas of a
PostgreSQL bake behind haproxy take a new revision of the code, with a new
column, under a steady load of writes and reads, without a failed request.
Its verdict is checked on reports made up here too: a drill that cannot
fail proves nothing."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TEMPLATE_DIR, free_port, unavailable
from servers import SERVERS

sys.path.insert(0, str(TEMPLATE_DIR / "scripts"))
import drill_load  # noqa: E402

pytestmark = pytest.mark.xdist_group("drill")

LAST_LINE = re.compile(
    r"drill: (\d+) requests, 0 failed, (\d+) writes all read back, "
    r"3 replicas replaced in ([\d.]+) s"
)


@pytest.mark.postgresql
def test_a_rolling_deploy_under_load_loses_nothing():
    if shutil.which("haproxy") is None:
        unavailable("haproxy is not installed (apt-get install haproxy)")
    SERVERS["postgresql"].admin()  # skips (or fails under CI) without a server
    completed = subprocess.run(
        ["bash", str(TEMPLATE_DIR / "scripts/drill.sh")],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    (line,) = completed.stdout.splitlines()
    requests, writes, seconds = LAST_LINE.fullmatch(line).groups()
    assert int(writes) > 100 and int(requests) >= 2 * int(writes)
    assert float(seconds) > 0
    for name in ("r1", "r2", "r3"):
        assert f"replica {name} serves the new code" in completed.stderr

    # Everything it started is gone: its folder, its processes, its database.
    (work,) = re.findall(r"work folder (\S+)", completed.stderr)
    (database,) = re.findall(r"database (edmunds_drill_\w+) on", completed.stderr)
    assert not Path(work).exists()
    assert not [
        pid
        for pid in os.listdir("/proc")
        if pid.isdigit() and work.encode() in _cmdline(pid)
    ]
    with SERVERS["postgresql"].admin().connect() as connection:
        left = connection.exec_driver_sql(
            f"SELECT 1 FROM pg_database WHERE datname = '{database}'"
        ).all()
    assert left == []


def _cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # it ended meanwhile
        return b""


def test_without_haproxy_it_refuses_in_one_line(tmp_path):
    completed = subprocess.run(
        ["/bin/bash", str(TEMPLATE_DIR / "scripts/drill.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(tmp_path)},  # nothing on it
        timeout=60,
    )
    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [
        "drill failed: haproxy is not installed (Debian: apt-get install haproxy)"
    ]


def test_without_postgresql_it_refuses_in_one_line():
    if shutil.which("haproxy") is None:
        unavailable("haproxy is not installed (apt-get install haproxy)")
    port = free_port()  # nothing listens there
    completed = subprocess.run(
        ["bash", str(TEMPLATE_DIR / "scripts/drill.sh")],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "EDMUNDS_TEMPLATE_POSTGRESQL_URL": f"postgresql://postgres@127.0.0.1:{port}/postgres",
        },
        timeout=120,
    )
    assert completed.returncode == 1
    (line,) = completed.stderr.splitlines()
    assert line.startswith(f"drill failed: PostgreSQL at 127.0.0.1:{port}: "), line
    assert "Traceback" not in completed.stdout + completed.stderr


# The verdict, on reports made up here.


def record(method, path, status, replica="r1", at=1.0, **extra):
    return {
        "method": method,
        "path": path,
        "status": status,
        "replica": replica,
        "at": at,
        "done": at + 0.01,
        **extra,
    }


def report(records=(), read_back=None, ready=(), written=None, stopped_by="stop file"):
    records = list(records) or [
        record("POST", "/api/users", 201),
        record("GET", "/api/users/1", 200),
    ]
    return {
        "stopped_by": stopped_by,
        "records": records,
        "written": 1 if written is None else written,
        "read_back": [record("GET", "/api/users/1", 200, at=9.0)]
        if read_back is None
        else read_back,
        "ready": list(ready),
    }


def test_a_clean_report_passes():
    assert drill_load.failures(report()) == []


def test_a_failed_request_fails_the_drill_naming_it():
    failed = report(
        records=[
            record("POST", "/api/users", 201),
            record("GET", "/api/users/1", 503, replica=None),
            record("POST", "/api/users", None, error="ConnectionResetError: reset"),
        ]
    )
    assert drill_load.failures(failed) == [
        "request failed: GET /api/users/1: status 503 (no replica)",
        "request failed: POST /api/users: ConnectionResetError: reset (r1)",
    ]


def test_an_acknowledged_write_that_does_not_read_back_fails_the_drill():
    lost = report(read_back=[record("GET", "/api/users/1", 404, replica="r2", at=9.0)])
    assert drill_load.failures(lost) == [
        "acknowledged write lost: GET /api/users/1: status 404 (r2)"
    ]


def test_a_replica_that_served_while_behind_fails_the_drill():
    ready = [
        {"replica": "r2", "at": 0.5, "state": "ready"},
        {"replica": "r2", "at": 2.0, "state": "behind"},
        {"replica": "r2", "at": 4.0, "state": "ready"},
    ]
    served = [
        record("GET", "/api/users/1", 200, replica="r2", at=1.0),  # before
        record("GET", "/api/users/1", 200, replica="r2", at=3.0),  # while behind
        record("GET", "/api/users/1", 200, replica="r1", at=3.0),  # another one
        record("GET", "/api/users/1", 200, replica="r2", at=5.0),  # after
    ]
    assert drill_load.failures(report(records=served, ready=ready)) == [
        "replica r2 served 1 requests while its schema was behind"
    ]


def test_a_load_that_ran_out_before_the_deploy_ended_fails_the_drill():
    assert drill_load.failures(report(stopped_by="its own limit")) == [
        "the load stopped by its own limit before the deploy ended"
    ]


def test_a_load_whose_login_fails_stops_in_one_line():
    port = free_port()  # nothing listens there
    with pytest.raises(SystemExit) as stopped:
        drill_load.log_in(port, "drill@example.com", "not the password")
    assert str(stopped.value).startswith(
        "drill_load: the login failed: POST /api/auth/login: ConnectionRefusedError"
    )
