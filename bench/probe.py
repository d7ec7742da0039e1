"""Measures taken inside one app's own process, with its own venv's python.

    python probe.py MODULE:ATTR status READ_PATH WRITE_PATH
    python probe.py MODULE:ATTR rss READ_PATH
    python probe.py MODULE:ATTR requests METHOD PATH COUNT [JSON_BODY]

Run from the app's folder; prints one JSON object. Standard library only: it
must run in whichever venv the app under test has. Every request sends
BENCH_TOKEN, when set, in the Authentication-Token header.
"""

import importlib
import json
import os
import resource
import sys
import time

WARM_UP = 10


def load(spec):
    sys.path.insert(0, os.getcwd())
    module, attr = spec.split(":")
    return getattr(importlib.import_module(module), attr)


def test_client(app):
    client = app.test_client()
    if os.environ.get("BENCH_TOKEN"):
        client.environ_base["HTTP_AUTHENTICATION_TOKEN"] = os.environ["BENCH_TOKEN"]
    return client


def status(app, read_path, write_path):
    """The status codes the benchmarked requests get, to check they work,
    and the read's without a token, to check that the app wants one."""
    client = test_client(app)
    return {
        "read": client.get(read_path).status_code,
        "write": client.post(write_path, json={"name": "probe"}).status_code,
        "anonymous": app.test_client().get(read_path).status_code,
    }


def rss(app, read_path):
    """Max RSS in KiB of a process that booted the app and served one read."""
    test_client(app).get(read_path)
    return {"max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def requests(app, method, path, count, body=None):
    """Requests per wall and per CPU second through the test client."""
    client = test_client(app)
    payload = json.loads(body) if body else None
    send = getattr(client, method.lower())
    for _ in range(WARM_UP):
        send(path, json=payload)
    started, started_cpu = time.perf_counter(), time.process_time()
    for _ in range(int(count)):
        response = send(path, json=payload)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    return {
        "per_second": int(count) / elapsed,
        "per_cpu_second": int(count) / cpu,
        "status": response.status_code,
    }


if __name__ == "__main__":
    spec, command, *args = sys.argv[1:]
    measure = {"status": status, "rss": rss, "requests": requests}[command]
    print(json.dumps(measure(load(spec), *args)))
