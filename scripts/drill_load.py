"""The rolling-deploy drill's load, and its verdict (scripts/drill.sh).

    DRILL_PASSWORD=... python scripts/drill_load.py load --proxy PORT \\
        --replica r1=PORT ... --email EMAIL --stop FILE --report FILE
    python scripts/drill_load.py verdict REPORT --replaced-in SECONDS
    python scripts/drill_load.py haproxy SOCKET COMMAND

`load` logs in as EMAIL (its password in DRILL_PASSWORD, not on a command
line), then writes users and reads each one back through the load balancer,
every request with the token, a few clients at a steady pace, until the stop
file appears (or its own limits in count and time run out: it never outlives
a drill that died). Meanwhile it asks each replica's /ready directly, to
know when one said its schema was behind. Then it reads every acknowledged
write back once more, with the token, and writes what it saw to the report.
`verdict` reads the report and prints the drill's one line, or what failed.
Every address is 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"
# Each client sends a write and a read of it, then waits this long: a steady
# load that leaves the two cores room to start the new replicas.
PAUSE_SECONDS = 0.02
READY_POLL_SECONDS = 0.1
TIMEOUT_SECONDS = 10


class Client:
    """One keep-alive connection to the load balancer; a request is a record.
    Every request sends ``token`` in the Authentication-Token header."""

    def __init__(self, port, token=None):
        self.port = port
        self.token = token
        self.connection = None

    def request(self, method, path, body=None):
        """(record, decoded body or None); a failed request is recorded too."""
        started = time.monotonic()
        record = {"method": method, "path": path, "at": started}
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                HOST, self.port, timeout=TIMEOUT_SECONDS
            )
        try:
            data = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if data else {}
            if self.token is not None:
                headers["Authentication-Token"] = self.token
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            # A new connection for the next request; this one failed.
            self.connection.close()
            self.connection = None
            record.update(status=None, error=f"{type(error).__name__}: {error}")
            return record, None
        record.update(
            status=response.status,
            replica=response.getheader("X-Drill-Replica"),
            done=time.monotonic(),
        )
        try:
            return record, json.loads(payload) if payload else None
        except ValueError:
            return record, None

    def close(self):
        if self.connection is not None:
            self.connection.close()


class Load:
    """What the clients share: the records, the acknowledged writes, a count."""

    def __init__(self, args, token):
        self.port = args.proxy
        self.token = token
        self.stop = Path(args.stop)
        self.deadline = time.monotonic() + args.max_seconds
        self.budget = args.max_writes
        self.records, self.written, self.count = [], {}, 0
        self.lock = threading.Lock()

    def next_number(self):
        """The next write's number, or None once the load should end."""
        with self.lock:
            if self.stop.exists() or time.monotonic() >= self.deadline:
                return None
            if self.count >= self.budget:
                return None
            self.count += 1
            return self.count

    def client(self):
        client = Client(self.port, self.token)
        try:
            while (number := self.next_number()) is not None:
                self.write_and_read(client, number)
                time.sleep(PAUSE_SECONDS)
        finally:
            client.close()

    def write_and_read(self, client, number):
        """POST a user, then GET it back."""
        name = f"drill user {number}"
        posted, body = client.request("POST", "/api/users", {"name": name})
        user_id = (body or {}).get("id") if posted["status"] == 201 else None
        got = None
        if isinstance(user_id, int):
            got, read = client.request("GET", f"/api/users/{user_id}")
            if got["status"] == 200 and (read or {}).get("name") != name:
                got["error"] = f"read back {read!r}, wrote {name!r}"
        with self.lock:
            self.records.append(posted)
            if got is not None:
                # Acknowledged: it must be there at the end, whatever was read.
                self.written[user_id] = name
                self.records.append(got)


def ready_of(port):
    """What a replica's /ready says: ready, behind, unavailable, or down."""
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", "/ready")
        response = connection.getresponse()
        body = json.loads(response.read() or b"{}")
    except (OSError, http.client.HTTPException, ValueError):
        return "down"
    finally:
        connection.close()
    if response.status == 200:
        return "ready"
    return body.get("status") or f"status {response.status}"


def watch_ready(replicas, stop_event, observations):
    """Each replica's /ready, asked straight, every READY_POLL_SECONDS."""
    while not stop_event.is_set():
        for name, port in replicas.items():
            state = ready_of(port)
            observations.append(
                {"replica": name, "at": time.monotonic(), "state": state}
            )
        stop_event.wait(READY_POLL_SECONDS)


def read_back_part(port, token, writes, read_back):
    client = Client(port, token)
    try:
        for user_id, name in writes:
            record, body = client.request("GET", f"/api/users/{user_id}")
            if record["status"] == 200 and (body or {}).get("name") != name:
                record["error"] = f"read back {body!r}, wrote {name!r}"
            read_back.append(record)  # list.append: one at a time
    finally:
        client.close()


def log_in(port, email, password):
    """A token from POST /api/auth/login through the load balancer."""
    client = Client(port)
    try:
        credentials = {"email": email, "password": password}
        record, body = client.request("POST", "/api/auth/login", credentials)
    finally:
        client.close()
    if record["status"] != 200 or not isinstance(body, dict) or "token" not in body:
        raise SystemExit(f"drill_load: the login failed: {describe(record)}")
    return body["token"]


def load(args):
    replicas = {
        name: int(port) for name, port in (pair.split("=", 1) for pair in args.replica)
    }
    token = log_in(args.proxy, args.email, os.environ["DRILL_PASSWORD"])
    shared = Load(args, token)
    observations = []
    watching = threading.Event()
    watcher = threading.Thread(
        target=watch_ready, args=(replicas, watching, observations)
    )
    watcher.start()
    clients = [threading.Thread(target=shared.client) for _ in range(args.clients)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    watching.set()
    watcher.join()
    stopped_by = "stop file" if shared.stop.exists() else "its own limit"
    # Every acknowledged write, read once more now that the deploy is over,
    # by as many clients.
    writes = sorted(shared.written.items())
    read_back = []
    readers = [
        threading.Thread(
            target=read_back_part,
            args=(args.proxy, token, writes[start :: args.clients], read_back),
        )
        for start in range(args.clients)
    ]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    report = {
        "stopped_by": stopped_by,
        "records": shared.records,
        "written": len(shared.written),
        "read_back": read_back,
        "ready": observations,
    }
    Path(args.report).write_text(json.dumps(report))


def failures(report):
    """What failed in a drill's report, one line each; none when it passed."""
    found = []
    if report["stopped_by"] != "stop file":
        found.append("the load stopped by its own limit before the deploy ended")
    bad = [
        record
        for record in report["records"]
        if record.get("error") or not 200 <= (record.get("status") or 0) < 300
    ]
    for record in bad[:5]:
        found.append(f"request failed: {describe(record)}")
    if len(bad) > 5:
        found.append(f"... {len(bad) - 5} more requests failed")
    lost = [
        record
        for record in report["read_back"]
        if record["status"] != 200 or record.get("error")
    ]
    for record in lost[:5]:
        found.append(f"acknowledged write lost: {describe(record)}")
    if len(lost) > 5:
        found.append(f"... {len(lost) - 5} more acknowledged writes lost")
    found.extend(served_while_behind(report))
    return found


def describe(record):
    what = record.get("error") or f"status {record.get('status')}"
    replica = record.get("replica") or "no replica"
    return f"{record['method']} {record['path']}: {what} ({replica})"


def served_while_behind(report):
    """Replicas that answered a request through the load balancer between a
    /ready that said "behind" and their next answer that did not."""
    behind = {}
    state_of = {}
    for observation in sorted(report["ready"], key=lambda item: item["at"]):
        name, state = observation["replica"], observation["state"]
        if state == "behind" and state_of.get(name) != "behind":
            behind.setdefault(name, []).append([observation["at"], float("inf")])
        elif state != "behind" and state_of.get(name) == "behind":
            behind[name][-1][1] = observation["at"]
        state_of[name] = state
    found = []
    for name, spans in sorted(behind.items()):
        served = [
            record
            for record in report["records"]
            if record.get("replica") == name
            and any(start <= _when(record) <= end for start, end in spans)
        ]
        if served:
            found.append(
                f"replica {name} served {len(served)} requests "
                "while its schema was behind"
            )
    return found


def _when(record):
    """When a request was answered (sent, for one that got no answer)."""
    return record.get("done", record["at"])


def verdict(args):
    report = json.loads(Path(args.report).read_text())
    found = failures(report)
    if found:
        for line in found:
            print(f"drill failed: {line}", file=sys.stderr)
        return 1
    print(
        f"drill: {len(report['records'])} requests, 0 failed, "
        f"{report['written']} writes all read back, "
        f"{args.replicas} replicas replaced in {args.replaced_in:.1f} s"
    )
    return 0


def haproxy(args):
    """One command on haproxy's admin socket; its answer on stdout."""
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(5)
        connection.connect(args.socket)
        connection.sendall(args.line.encode() + b"\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    sys.stdout.write(answer.decode())
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("load")
    run.add_argument("--proxy", type=int, required=True)
    run.add_argument("--replica", action="append", default=[], metavar="NAME=PORT")
    run.add_argument("--email", required=True, help="who the load logs in as")
    run.add_argument("--stop", required=True)
    run.add_argument("--report", required=True)
    run.add_argument("--clients", type=int, default=4)
    run.add_argument("--max-seconds", type=float, default=120)
    run.add_argument("--max-writes", type=int, default=20000)
    judge = commands.add_parser("verdict")
    judge.add_argument("report")
    judge.add_argument("--replaced-in", type=float, required=True)
    judge.add_argument("--replicas", type=int, default=3)
    admin = commands.add_parser("haproxy")
    admin.add_argument("socket")
    admin.add_argument("line", metavar="COMMAND")
    args = parser.parse_args(argv)
    return {"load": load, "verdict": verdict, "haproxy": haproxy}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
