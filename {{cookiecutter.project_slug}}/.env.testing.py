# Loaded last when APP_ENV is 'testing' (tests/conftest.py sets it).
# No secrets: this file is tracked.
TESTING = True
SECRET_KEY = "testing-only-not-a-secret"

# Tests wipe their databases: give each instance one of its own.
{%- macro testing(name, engine, database) %}
{%- if engine == "sqlite" %}
DB_{{ name }}_FILE = "/database/{{ database }}-testing.db"
# A commit need not wait for the disk: the tests' rows need not outlive a
# power cut, and a commit that waits costs the suite about a tenth of its time.
DB_{{ name }}_SYNCHRONOUS = "OFF"
{%- else %}
DB_{{ name }}_DATABASE = "{{ database }}_testing"
{%- endif %}
{%- endmacro %}
{{- testing("DEFAULT", cookiecutter.database, cookiecutter.project_slug) }}
{%- if cookiecutter.users_database != "none" %}
{{- testing("USERS_DATABASE", cookiecutter.users_database, cookiecutter.project_slug ~ "_users") }}
{%- endif %}
