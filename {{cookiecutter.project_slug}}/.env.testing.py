# Loaded last when APP_ENV is 'testing' (tests/conftest.py sets it).
# No secrets: this file is tracked.
TESTING = True
SECRET_KEY = "testing-only-not-a-secret"
# Passwords hashed in a millisecond, not a tenth of a second: the tests log
# in often, and no password here needs protecting.
SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS = {
    "argon2__memory_cost": 1024,
    "argon2__rounds": 1,
}

# Tests wipe their databases: give each instance one of its own.
{%- if "sqlite" in (cookiecutter.database, cookiecutter.users_database) %}
# On SQLite a commit need not wait for the disk (SYNCHRONOUS): the tests'
# rows need not outlive a power cut, and the waiting took a tenth of the
# suite's time.
{%- endif %}
{%- macro testing(name, engine, database) %}
{%- if engine == "sqlite" %}
DB_{{ name }}_FILE = "/database/{{ database }}-testing.db"
DB_{{ name }}_SYNCHRONOUS = "OFF"
{%- else %}
DB_{{ name }}_DATABASE = "{{ database }}_testing"
{%- endif %}
{%- endmacro %}
{{- testing("DEFAULT", cookiecutter.database, cookiecutter.project_slug) }}
{%- if cookiecutter.users_database != "none" %}
{{- testing("USERS_DATABASE", cookiecutter.users_database, cookiecutter.project_slug ~ "_users") }}
{%- endif %}
