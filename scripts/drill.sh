#!/usr/bin/env bash
# A rolling deploy, rehearsed on this machine under load: a bake on
# PostgreSQL served by three gunicorn replicas behind haproxy, which routes
# only to replicas whose /ready answers 200. While clients keep writing users
# and reading them back, a new revision of the code (a nullable column added
# to User, with its migration) is deployed: `db upgrade` once, then each
# replica in turn is taken out of haproxy, stopped gracefully and started
# again from the new code. Every request of the load carries the token of
# a user it logged in as (each one reads its user, a row of the table the
# revision changes). It passes when no request failed, every acknowledged
# write reads back, and no replica served while its database was behind its
# code; its last line says so, with the figures.
#
#   scripts/drill.sh
#
# Needs haproxy (Debian: apt-get install haproxy) and a PostgreSQL server on
# which it may create a database: EDMUNDS_TEMPLATE_POSTGRESQL_URL names one,
# as for the tests, else postgres@127.0.0.1:5432. Every process, port and
# address is this machine's; the database it made is dropped at the end.
set -euo pipefail

# Progress on stderr, with the seconds since the start.
say() { echo "drill: [${SECONDS} s] $*" >&2; }
fail() { echo "drill failed: $*" >&2; exit 1; }

# Before anything is installed or made.
command -v haproxy >/dev/null || fail "haproxy is not installed (Debian: apt-get install haproxy)"

source "$(dirname "${BASH_SOURCE[0]}")/dev-env.sh"

PY="$TEMPLATE_DIR/.venv/bin/python"
HELPER="$TEMPLATE_DIR/scripts/drill_load.py"
REPLICAS=(r1 r2 r3)
# How long a replica may take to answer /ready, or to stop.
START_SECONDS=90
STOP_SECONDS=40

export EDMUNDS_DRILL_SERVER=${EDMUNDS_TEMPLATE_POSTGRESQL_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
# One statement on the server as its admin account, in its own database or
# the one named; rows are printed. A server that cannot be reached is one
# line.
postgres() {
    "$PY" - "$@" <<'PY'
import os
import sys

import psycopg
from sqlalchemy.engine import make_url

url = make_url(os.environ["EDMUNDS_DRILL_SERVER"])
statement, *database = sys.argv[1:]
try:
    with psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=database[0] if database else url.database or "postgres",
        autocommit=True,
        connect_timeout=5,
    ) as connection:
        cursor = connection.execute(statement)
        for row in cursor if cursor.description else ():
            print(*row)
except psycopg.Error as error:
    reason = " ".join(str(error).split())
    sys.exit(f"drill failed: PostgreSQL at {url.host}:{url.port or 5432}: {reason}")
PY
}

postgres "SELECT 1" >/dev/null || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/edmunds-drill.XXXXXX")
database=""
declare -A pid_of=() port_of=()
load_pid=""
haproxy_pid=""

stop_processes() {  # seconds, pid...: SIGTERM to all, SIGKILL to any that lingers
    local seconds=$1 deadline pid alive
    shift
    kill -TERM "$@" 2>/dev/null || true
    deadline=$((SECONDS + seconds))
    while [ "$SECONDS" -lt "$deadline" ]; do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 1 ] || break
        sleep 0.1
    done
    kill -KILL "$@" 2>/dev/null || true
    for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    # All at once: gunicorn takes a second or two to stop gracefully.
    local pids=("${pid_of[@]}")
    [ -z "$load_pid" ] || pids+=("$load_pid")
    [ -z "$haproxy_pid" ] || pids+=("$haproxy_pid")
    [ ${#pids[@]} = 0 ] || stop_processes 10 "${pids[@]}"
    if [ -n "$database" ]; then
        postgres "DROP DATABASE IF EXISTS $database WITH (FORCE)" || status=1
    fi
    if [ "$status" = 0 ]; then
        rm -rf "$work"
    else
        echo "drill: its logs are kept in $work" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# /ready of one replica, straight to it: 0 when it answers 200. bash's own
# /dev/tcp, so that polling it costs no process.
answers_ready() {
    local port=$1 status
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    printf 'GET /ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    read -r -t 5 _ status _ <&3 || status=""
    exec 3>&-
    [ "$status" = 200 ]
}

haproxy_admin() { "$PY" "$HELPER" haproxy "$work/haproxy.sock" "$1"; }

# A field of one server's row in haproxy's statistics (CSV): 5 is its
# current sessions, 18 its status (UP, DOWN, MAINT, DRAIN...).
server_field() {
    haproxy_admin "show stat" | awk -F, -v server="$1" -v field="$2" \
        '$1 == "app" && $2 == server { print $field }'
}

wait_for() {  # description, seconds, command...: until the command succeeds
    local description=$1 seconds=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$description within $seconds s"
        sleep 0.1
    done
}

replica_alive() {
    kill -0 "${pid_of[$1]}" 2>/dev/null ||
        fail "replica $1 exited; the end of its log:$(printf '\n%s' "$(tail -n 5 "$work/$1.log")")"
}
replica_ready() { replica_alive "$1" && answers_ready "${port_of[$1]}"; }
haproxy_says() { [ "$(server_field "$1" 18)" = "$2" ]; }
no_sessions() { [ "$(server_field "$1" 5)" = 0 ]; }

# Every command of the app runs in this environment: production, on the
# drill's own database, nothing else of the caller's shell (no FLASK_*, no
# GUNICORN_CMD_ARGS); SECRET_KEY is the bake's own, from its .env.py.
app_env=()
set_app_env() {
    app_env=(env -i PATH="$PATH" HOME="$HOME" LANG="${LANG:-C.UTF-8}" TMPDIR="${TMPDIR:-/tmp}"
        APP_ENV=production DB_DEFAULT_DATABASE="$database"
        DB_DEFAULT_HOST="$db_host" DB_DEFAULT_PORT="$db_port"
        DB_DEFAULT_USER="$db_user" DB_DEFAULT_PASS="$db_pass")
}

# A replica as the Dockerfile's CMD starts one: `db upgrade`, which finds
# nothing to do once the deploy has run it, then gunicorn in its place.
start_replica() {  # name, code folder
    local name=$1 code=$2
    (
        cd "$code"
        exec "${app_env[@]}" bash -c "'$venv/bin/python' manage.py db upgrade && exec '$venv/bin/gunicorn' --bind 127.0.0.1:${port_of[$name]} wsgi:app"
    ) >>"$work/$name.log" 2>&1 &
    pid_of[$name]=$!
}

# --- The bake, its venv and its database ------------------------------------

say "work folder $work"
"$PY" - "$TEMPLATE_DIR" "$work" >"$work/bake.log" 2>&1 <<'PY' || fail "the bake failed; see $work/bake.log"
import sys

from cookiecutter.main import cookiecutter

template, output = sys.argv[1:]
cookiecutter(
    template,
    no_input=True,
    output_dir=output,
    extra_context={"project_name": "Drill", "database": "postgresql", "init_git": False},
)
PY
old="$work/drill"
venv="$old/.venv"
# The bake's Python, as scripts/bake.sh picks it.
version=$(cat "$old/.python-version")
UV_PYTHON=$(ls -d "$HOME/.pyenv/versions/$version".*/bin/python 2>/dev/null | sort -V | tail -n 1)
export UV_PYTHON=${UV_PYTHON:-$version}
# What production installs (no dev tools), compiled once: a replica's start
# then reads bytecode instead of compiling Flask and SQLAlchemy again.
(cd "$old" && uv sync --locked --no-dev --compile-bytecode --quiet) >"$work/sync.log" 2>&1 ||
    fail "uv sync failed in the bake; see $work/sync.log"
say "baked $old, its venv synced"

mapfile -t server < <("$PY" -c '
import os
from sqlalchemy.engine import make_url
url = make_url(os.environ["EDMUNDS_DRILL_SERVER"])
print(url.host, url.port or 5432, url.username or "", url.password or "", sep="\n")')
db_host=${server[0]} db_port=${server[1]} db_user=${server[2]} db_pass=${server[3]}
name="edmunds_drill_$("$PY" -c 'import secrets; print(secrets.token_hex(6))')"
postgres "CREATE DATABASE $name" || exit 1
database=$name
set_app_env
say "database $database on $db_host:$db_port"
(cd "$old" && "${app_env[@]}" "$venv/bin/python" manage.py db upgrade) >"$work/upgrade-old.log" 2>&1 ||
    fail "db upgrade of the first revision failed; see $work/upgrade-old.log"
# Whom the load logs in as, made as a team makes a user: the console, the
# password on its standard input. The load gets the password in its
# environment, never on a command line.
drill_email=drill@example.com
drill_password=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')
printf '%s\n' "$drill_password" |
    (cd "$old" && "${app_env[@]}" "$venv/bin/python" manage.py auth create-user "$drill_email" --password-stdin) \
        >"$work/user.log" 2>&1 || fail "auth create-user failed; see $work/user.log"

# The new code starts as a copy of the old, made before the old code runs
# (it writes __pycache__ folders as it starts); its venv is the same.
new="$work/new"
mkdir "$new"
tar -C "$old" --exclude=./.venv -cf - . | tar -C "$new" -xf -

# --- Three replicas of the old code behind haproxy ---------------------------

# Started now and waited for once the new revision is written: they boot
# meanwhile.
for name in "${REPLICAS[@]}"; do port_of[$name]=$(free_port); done
proxy_port=$(free_port)
{
    cat <<CFG
# Written by scripts/drill.sh for one drill.
global
    stats socket $work/haproxy.sock mode 600 level admin

defaults
    mode http
    # A request is read whole (body included) before a server is chosen, as
    # a buffering proxy in production does; a slow client never holds one.
    option http-buffer-request
    timeout http-request 10s
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # A new connection to gunicorn per request: none is reused just as
    # gunicorn closes it for idling (its keepalive is 2 s).
    option http-server-close
    # Not retried elsewhere: a request that met a dead replica counts.
    retries 0

frontend drill
    bind 127.0.0.1:$proxy_port
    default_backend app

backend app
    balance roundrobin
    # Routed only to a replica whose /ready answers 200, asked every 200 ms.
    option httpchk GET /ready
    http-check expect status 200
    default-server check inter 200ms fall 2 rise 2
    # Which replica answered, for the drill's verdict.
    http-response set-header X-Drill-Replica %[srv_name]
CFG
    for name in "${REPLICAS[@]}"; do
        echo "    server $name 127.0.0.1:${port_of[$name]}"
    done
} >"$work/haproxy.cfg"
haproxy -c -q -f "$work/haproxy.cfg" || fail "haproxy refused $work/haproxy.cfg"

for name in "${REPLICAS[@]}"; do
    (cd "$old" && exec "${app_env[@]}" "$venv/bin/gunicorn" --bind "127.0.0.1:${port_of[$name]}" wsgi:app) \
        >>"$work/$name.log" 2>&1 &
    pid_of[$name]=$!
done
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!

# --- The new revision: a nullable column, and its migration -----------------

# Written before the deploy, as a developer would: the model change and the
# revision `db migrate` makes of it. Adding a nullable column is an
# expanding change: old code, which never names the column, reads and
# writes the table as before once it is there.
model="$new/app/database/models/user.py"
line='    name = db.Column(db.String(50), nullable=False)'
grep -qxF "$line" "$model" || fail "the drill expects '$line' in app/database/models/user.py"
sed -i "s/^$line\$/&\n    nickname = db.Column(db.String(50), nullable=True)/" "$model"
(cd "$new" && "${app_env[@]}" "$venv/bin/python" manage.py db migrate -m "users nickname" </dev/null) \
    >"$work/migrate.log" 2>&1 || fail "db migrate failed; see $work/migrate.log"
revision=$(ls "$new/migrations/versions" | grep -E '_users_nickname\.py$') ||
    fail "db migrate wrote no revision; see $work/migrate.log"
revision=${revision%%_*}
say "the new code in $new: users.nickname, revision $revision"

# --- The old code serving ------------------------------------------------------

for name in "${REPLICAS[@]}"; do
    wait_for "replica $name (old code) did not answer /ready" "$START_SECONDS" replica_ready "$name"
done
wait_for "haproxy did not see the replicas UP" 30 \
    eval 'haproxy_says r1 UP && haproxy_says r2 UP && haproxy_says r3 UP'
say "replicas ${REPLICAS[*]} on ports ${port_of[*]}, haproxy on $proxy_port"

# --- Load, and the deploy under it -------------------------------------------

load_arguments=(--proxy "$proxy_port" --email "$drill_email" --stop "$work/stop" --report "$work/report.json")
for name in "${REPLICAS[@]}"; do load_arguments+=(--replica "$name=${port_of[$name]}"); done
DRILL_PASSWORD=$drill_password "$PY" "$HELPER" load "${load_arguments[@]}" >"$work/load.log" 2>&1 &
load_pid=$!
sleep 2  # steady load before the deploy starts

say "db upgrade to $revision, while the old code serves"
started=$EPOCHREALTIME
(cd "$new" && "${app_env[@]}" "$venv/bin/python" manage.py db upgrade) >"$work/upgrade-new.log" 2>&1 ||
    fail "db upgrade of the new revision failed; see $work/upgrade-new.log"

for name in "${REPLICAS[@]}"; do
    # Out of haproxy first: no new request goes to it, the ones it holds end.
    haproxy_admin "set server app/$name state drain" >/dev/null
    wait_for "replica $name still held requests after draining" 30 no_sessions "$name"
    haproxy_admin "set server app/$name state maint" >/dev/null
    # SIGTERM: gunicorn finishes what it holds, then exits.
    stop_processes "$STOP_SECONDS" "${pid_of[$name]}"
    unset "pid_of[$name]"
    start_replica "$name" "$new"
    wait_for "replica $name (new code) did not answer /ready" "$START_SECONDS" replica_ready "$name"
    haproxy_admin "set server app/$name state ready" >/dev/null
    wait_for "haproxy did not see replica $name UP again" 30 haproxy_says "$name" UP
    say "replica $name serves the new code"
done
# From `db upgrade` to the last replica back in haproxy: the deploy.
replaced_in=$(awk -v start="$started" -v end="$EPOCHREALTIME" 'BEGIN { print end - start }')

sleep 2  # and steady load after it
touch "$work/stop"
wait "$load_pid" || fail "the load generator failed; see $work/load.log"
load_pid=""
say "load stopped, every acknowledged write read again"

# The database is at the new revision, with its column.
at=$(postgres "SELECT version_num, (SELECT count(*) FROM information_schema.columns
    WHERE table_name = 'users' AND column_name = 'nickname') FROM alembic_version" "$database")
[ "$at" = "$revision 1" ] || fail "the database is at '$at', not at revision $revision with users.nickname"

"$PY" "$HELPER" verdict "$work/report.json" --replaced-in "$replaced_in" --replicas "${#REPLICAS[@]}"
