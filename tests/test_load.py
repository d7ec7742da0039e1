"""The baked app under gunicorn, loaded by many concurrent clients.

Loopback only, bounded in requests and in time. Every acknowledged write must
be in the database afterwards, no answer may be a 5xx, and the connections a
server holds must go back to their idle level when the app stops.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
from sqlalchemy import create_engine, text

from conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    bake,
    call,
    clean_env,
    create_user,
    free_port,
    log_in,
    project_python,
    run,
    serving,
)
from servers import SERVERS, on_servers

WORKERS, THREADS = 3, 4
CLIENTS = 16
ROUNDS = 15  # per client, after its login: a user, a tag, a contested tag, three links
TIME_LIMIT = 120  # seconds; the test fails rather than run longer
SHARED_TAGS = 3


class Tally:
    """What the server acknowledged, and every answer it gave."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.acknowledged = Counter()
        self.links = set()

    def record(self, kind, status):
        with self.lock:
            self.statuses[status] += 1
            if status in (200, 201, 204):
                self.acknowledged[kind] += 1


def client(url, number, shared_user, shared_tags, tally, deadline):
    # Each client logs in first, all at once, as the same admin (linking
    # users other than one's own needs the role).
    login = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    status, body = call(f"{url}/api/auth/login", "POST", login)
    tally.record("login", status)
    if status != 200:
        return
    token = body["token"]
    for round_ in range(ROUNDS):
        if time.monotonic() > deadline:
            return
        name = {"name": f"c{number}r{round_}"}
        status, user = call(f"{url}/api/users", "POST", name, token)
        tally.record("user", status)
        name = {"name": f"t{number}-{round_}"}
        status, tag = call(f"{url}/api/tags", "POST", name, token)
        tally.record("tag", status)
        # Every client races for the same tag name: one 201, then 409s.
        status, _ = call(f"{url}/api/tags", "POST", {"name": "contested"}, token)
        tally.record("tag", status)
        if user is None or tag is None or "id" not in user or "id" not in tag:
            continue
        shared_tag = shared_tags[round_ % len(shared_tags)]
        # The last pair is the same for many clients at once: PUT is idempotent.
        for user_id, tag_id in (
            (user["id"], tag["id"]),
            (user["id"], shared_tag),
            (shared_user, shared_tag),
        ):
            link = f"{url}/api/users/{user_id}/tags/{tag_id}"
            status, _ = call(link, "PUT", token=token)
            tally.record("link", status)
            if status == 204:
                with tally.lock:
                    tally.links.add((user_id, tag_id))


def counts(python, project, env):
    script = (
        "import json; from sqlalchemy import func, select; "
        "from bootstrap.app import bootstrap; "
        "from app.database.models.user import User; "
        "from app.database.models.tag import Tag; "
        "from app.database.models.usertags import UserTags; "
        "from edmunds.database.db import db\n"
        "with bootstrap().app_context():\n"
        "    count = lambda t: db.session.scalar(select(func.count()).select_from(t))\n"
        "    print(json.dumps([count(User), count(Tag), count(UserTags)]))"
    )
    completed = run(project, python, "-c", script, env=env)
    return tuple(int(n) for n in completed.stdout.strip()[1:-1].split(","))


def server_connections(server, database):
    engine = create_engine(server.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                {"name": database},
            ).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param("sqlite", marks=on_servers()),
        pytest.param("postgresql", marks=on_servers("postgresql")),
    ],
)
def test_concurrent_writes_are_all_kept_and_no_answer_is_a_5xx(cookies, engine):
    with ExitStack() as cleanup:
        settings, database = {}, None
        if engine in SERVERS:
            database = cleanup.enter_context(SERVERS[engine].databases())()
            settings = SERVERS[engine].settings("default", database)
        load(
            bake(cookies, project_name="Under Load", database=engine),
            engine,
            settings,
            database,
        )


def load(project, engine, settings, database):
    python = project_python(project)
    env = clean_env(APP_ENV="production", **settings)
    run(project, python, "manage.py", "db", "upgrade", env=env)
    create_user(project, python, env=env)
    idle = server_connections(SERVERS[engine], database) if database else None

    port = free_port()
    gunicorn = python.parent / "gunicorn"
    command = (
        f"exec {gunicorn} --bind 127.0.0.1:{port} --workers {WORKERS} "
        f"--threads {THREADS} wsgi:app"
    )
    tally = Tally()
    started = time.monotonic()
    with serving(command, project, env, port) as url:
        token = log_in(url)
        shared_user = {"name": "shared"}
        status, shared_user = call(f"{url}/api/users", "POST", shared_user, token)
        tally.record("user", status)
        shared = []
        for number in range(SHARED_TAGS):
            name = {"name": f"shared{number}"}
            status, tag = call(f"{url}/api/tags", "POST", name, token)
            tally.record("tag", status)
            shared.append(tag["id"])
        deadline = started + TIME_LIMIT
        with ThreadPoolExecutor(CLIENTS) as pool:
            for future in [
                pool.submit(
                    client, url, number, shared_user["id"], shared, tally, deadline
                )
                for number in range(CLIENTS)
            ]:
                future.result()
        busy = server_connections(SERVERS[engine], database) if database else None
    elapsed = time.monotonic() - started

    requests = sum(tally.statuses.values())
    print(
        f"\n{engine}: {requests} requests from {CLIENTS} clients "
        f"({WORKERS} workers x {THREADS} threads) in {elapsed:.1f}s; "
        f"statuses {dict(sorted(tally.statuses.items()))}; "
        f"acknowledged {dict(tally.acknowledged)}"
    )
    assert elapsed < TIME_LIMIT, "the load did not finish in its time limit"
    assert not [status for status in tally.statuses if status >= 500], tally.statuses
    assert requests == 1 + SHARED_TAGS + CLIENTS * (1 + ROUNDS * 6)
    assert tally.acknowledged["login"] == CLIENTS
    assert tally.statuses[409] == CLIENTS * ROUNDS - 1  # the contested tag

    users, tags, links = counts(python, project, env)
    print(f"{engine} rows: {users} users, {tags} tags, {links} links")
    # And the admin, made by the console.
    assert users - 1 == tally.acknowledged["user"] == 1 + CLIENTS * ROUNDS
    assert tags == tally.acknowledged["tag"] == 1 + SHARED_TAGS + CLIENTS * ROUNDS
    assert tally.acknowledged["link"] == CLIENTS * ROUNDS * 3
    assert links == len(tally.links) == CLIENTS * ROUNDS * 2 + SHARED_TAGS
    if database:
        after = server_connections(SERVERS[engine], database)
        print(f"{engine} connections: idle {idle}, under load {busy}, after {after}")
        pool_limit = 5 + 10  # the driver's pool_size + max_overflow
        assert busy <= WORKERS * pool_limit
        assert after == idle
