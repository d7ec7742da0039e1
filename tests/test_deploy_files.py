"""The deploy files of a docker=yes bake (compose.yaml, deploy/nginx.conf,
deploy/kubernetes/), checked without a Docker engine, images or a cluster,
for every combination of database engines.

They parse; compose.yaml passes the Compose specification's JSON schema
(the one check-jsonschema ships) and the manifests Kubernetes' own schemas,
strictly (kubernetes-validate), both offline; and they name only services,
files, ports, users, commands and variables that exist: the Dockerfile's
port, user and command, gunicorn.conf.py's timeouts, config/app.py's
instances and databases, the variables of the bake's docs/deployment.md.
`docker compose config` and kubeconform are not to be had here: Debian 12
packages neither (its docker-compose is version 1), nor does PyPI.
"""

import ast
import json
import re
import shlex
import subprocess

import pytest
import yaml

from template_answers import CHOICES

from conftest import DEV_TOOLS, bake
from test_docker import image_files, instructions

pytestmark = pytest.mark.xdist_group("deploy-files")

COMBINATIONS = [
    (database, users_database)
    for database in CHOICES["database"]
    for users_database in CHOICES["users_database"]
]
IDS = ["-".join(combination) for combination in COMBINATIONS]
KUBERNETES_VERSION = "1.37.0"
# Each engine's server image: its port, pinned version, and the variables
# that name its database and the app's password.
SERVERS = {
    "postgresql": {
        "port": 5432,
        "image": r"postgres:\d+\.\d+",
        "database": "POSTGRES_DB",
        "password": "POSTGRES_PASSWORD",
    },
    "mysql": {
        "port": 3306,
        "image": r"mariadb:\d+\.\d+\.\d+",
        "database": "MARIADB_DATABASE",
        "password": "MARIADB_PASSWORD",
    },
}
# The settings an instance takes from DB_<NAME>_<KEY> (docs/configuration.md,
# Databases).
SETTINGS = {"HOST", "PORT", "USER", "PASS", "DATABASE", "FILE"}
# gunicorn's own defaults, where gunicorn.conf.py sets nothing.
GUNICORN_DEFAULTS = {"timeout": 30, "graceful_timeout": 30}


@pytest.fixture(scope="module")
def baked(cookies_session):
    """One bake per combination, made when a test first asks for it."""
    made = {}

    def get(database, users_database):
        if (database, users_database) not in made:
            made[database, users_database] = bake(
                cookies_session,
                project_name="Deployed Shop",
                docker=True,
                init_git=False,
                database=database,
                users_database=users_database,
            )
        return made[database, users_database]

    return get


class Bake:
    """A bake's deploy files, read, and what they must agree with."""

    def __init__(self, project, database, users_database):
        self.project = project
        self.instances = [
            (name, engine)
            for name, engine in [
                ("default", database),
                ("users_database", users_database),
            ]
            if engine != "none"
        ]
        self.on_servers = [(n, e) for n, e in self.instances if e in SERVERS]
        self.sqlite = any(engine == "sqlite" for _, engine in self.instances)
        self.compose = yaml.safe_load((project / "compose.yaml").read_text())
        self.nginx = (project / "deploy/nginx.conf").read_text()
        folder = project / "deploy/kubernetes"
        self.manifests = {
            path.name: yaml.safe_load(path.read_text())
            for path in folder.glob("*.yaml")
        }
        steps = instructions(project)
        self.dockerfile = steps
        self.env = dict(pair.split("=", 1) for pair in shlex.split(dict(steps)["ENV"]))
        shell, flag, command = json.loads(dict(steps)["CMD"])
        upgrade, serve = command.split(" && ")
        self.upgrade = shlex.split(upgrade)
        self.serve = shlex.split(serve.removeprefix("exec "))
        (self.port,) = {
            int(arguments)
            for instruction, arguments in steps
            if instruction == "EXPOSE"
        }
        (user_line,) = [a for i, a in steps if i == "RUN" and "useradd" in a]
        self.uid = int(re.search(r"--uid (\d+)", user_line)[1])
        self.user = user_line.split()[-1]
        self.workdir = dict(steps)["WORKDIR"]
        # Production and deploying: the README points there.
        self.deployment = (project / "docs/deployment.md").read_text()
        self.gunicorn = gunicorn_settings(project / "gunicorn.conf.py")
        self.databases = dict(
            re.findall(
                r'"name": "(\w+)",\s+"driver": \w+,\s+"(?:database|file)": "([^"]+)"',
                (project / "config/app.py").read_text(),
            )
        )


def gunicorn_settings(path):
    """The settings gunicorn.conf.py assigns, over gunicorn's defaults."""
    settings = dict(GUNICORN_DEFAULTS)
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                settings[target.id] = node.value.value
    return settings


@pytest.fixture(params=COMBINATIONS, ids=IDS)
def deployed(request, baked):
    return Bake(baked(*request.param), *request.param)


def test_a_bake_without_docker_has_no_deploy_files(cookies):
    project = bake(cookies, init_git=False, database="postgresql")
    assert not (project / "compose.yaml").exists()
    assert not (project / "deploy").exists()
    assert "### Deploying" not in (project / "docs/deployment.md").read_text()


def test_the_files_are_there_and_kubernetes_migrates_as_the_engines_allow(deployed):
    names = set(deployed.manifests)
    expected = {"deployment.yaml", "service.yaml"}
    expected |= {"storage.yaml"} if deployed.sqlite else {"migrate-job.yaml"}
    assert names == expected
    # docs/deployment.md's Deploying part names each of them.
    for path in ["compose.yaml", "deploy/nginx.conf", "deploy/kubernetes/"]:
        assert f"`{path}`" in deployed.deployment
    for name in expected:
        assert f"`{name}`" in deployed.deployment
    assert "What was run and what was not" in deployed.deployment


# The schemas, offline.


def test_compose_passes_the_compose_specification(deployed):
    assert_schema_passes(deployed.project / "compose.yaml")


def assert_schema_passes(compose_file):
    completed = subprocess.run(
        [str(DEV_TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec"]
        + [str(compose_file)],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_manifests_pass_the_kubernetes_schemas_strictly(deployed):
    assert_manifests_pass(
        sorted((deployed.project / "deploy/kubernetes").glob("*.yaml"))
    )


def assert_manifests_pass(paths):
    completed = kubernetes_validate(paths)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.count(f"against version {KUBERNETES_VERSION[:4]}") == len(
        paths
    ), completed.stdout


def kubernetes_validate(paths):
    return subprocess.run(
        [str(DEV_TOOLS / "kubernetes-validate"), "--strict"]
        + ["--kubernetes-version", KUBERNETES_VERSION, *map(str, paths)],
        capture_output=True,
        text=True,
    )


def test_the_schema_checks_would_catch_a_mistake(baked, tmp_path):
    # A check that passes anything proves nothing.
    project = baked("postgresql", "none")
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    compose["services"]["app"]["deploy"] = {"replica": 3}
    broken = tmp_path / "compose.yaml"
    broken.write_text(yaml.safe_dump(compose))
    with pytest.raises(AssertionError):
        assert_schema_passes(broken)
    deployment = yaml.safe_load(
        (project / "deploy/kubernetes/deployment.yaml").read_text()
    )
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    broken = tmp_path / "deployment.yaml"
    broken.write_text(yaml.safe_dump(deployment))
    assert kubernetes_validate([broken]).returncode != 0


# compose.yaml and nginx.conf.


def test_compose_runs_the_app_behind_nginx_and_the_servers_it_needs(deployed):
    services = deployed.compose["services"]
    servers = {
        f"db-{name.replace('_', '-')}": engine for name, engine in deployed.on_servers
    }
    assert set(services) == {"proxy", "app", "migrate", *servers}
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, (name, needed)
    assert services["app"]["deploy"]["replicas"] == 3
    assert services["app"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"}
    }
    assert services["migrate"].get("depends_on", {}) == {
        server: {"condition": "service_healthy"} for server in servers
    }
    assert services["proxy"]["depends_on"] == {"app": {"condition": "service_healthy"}}
    for server, engine in servers.items():
        assert re.fullmatch(SERVERS[engine]["image"], services[server]["image"])
        assert "healthcheck" in services[server]
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+-alpine", services["proxy"]["image"])
    declared = set(deployed.compose.get("volumes") or {})
    used = {
        mount.split(":")[0]
        for service in services.values()
        for mount in service.get("volumes", [])
        if not mount.startswith("./")
    }
    assert used == declared


def test_compose_runs_the_dockerfile_commands_as_its_image_does(deployed):
    services = deployed.compose["services"]
    for name in ("app", "migrate"):
        assert services[name]["build"] == "."
        assert services[name]["read_only"] is True
        assert services[name]["tmpfs"] == ["/tmp"]
    assert services["app"]["image"] == services["migrate"]["image"]
    assert services["migrate"]["command"] == deployed.upgrade
    assert services["app"]["command"] == deployed.serve
    assert deployed.serve == ["gunicorn", "wsgi:app"]
    # gunicorn reads gunicorn.conf.py from the image's folder, and binds the
    # port the image exposes.
    assert (deployed.project / "gunicorn.conf.py").is_file()
    assert deployed.env["GUNICORN_CMD_ARGS"] == f"--bind 0.0.0.0:{deployed.port}"
    health = services["app"]["healthcheck"]["test"]
    assert health[:3] == ["CMD", "python", "-c"]
    compile(health[3], "healthcheck", "exec")
    assert f"'http://127.0.0.1:{deployed.port}/up'" in health[3]
    # Stopped gracefully: gunicorn has its graceful_timeout after SIGTERM.
    grace = int(services["app"]["stop_grace_period"].removesuffix("s"))
    assert grace > deployed.gunicorn["graceful_timeout"]


def test_storage_is_a_shared_volume_where_sqlite_lives(deployed):
    services = deployed.compose["services"]
    storage = f"storage:{deployed.workdir}/storage"
    for name in ("app", "migrate"):
        assert (storage in services[name].get("volumes", [])) == deployed.sqlite
    # The image makes storage/ for its user, and keeps it out of the image.
    (making,) = [a for i, a in deployed.dockerfile if i == "RUN" and "storage" in a]
    assert f"chown -R {deployed.user}:{deployed.user} storage" in making
    for name, engine in deployed.instances:
        if engine == "sqlite":
            assert deployed.databases[name].startswith("/database/")


def test_the_variables_are_the_docs_and_every_secret_comes_from_outside(deployed):
    services = deployed.compose["services"]
    environment = services["app"]["environment"]
    assert services["migrate"]["environment"] == environment
    assert environment["APP_ENV"] == "production"
    instance_names = {name.upper() for name, _ in deployed.instances}
    expected = {"APP_ENV", "SECRET_KEY"}
    for name, engine in deployed.on_servers:
        prefix = f"DB_{name.upper()}_"
        expected |= {prefix + key for key in ("HOST", "PORT", "USER", "PASS")}
        server = services[f"db-{name.replace('_', '-')}"]
        assert environment[prefix + "HOST"] == f"db-{name.replace('_', '-')}"
        assert environment[prefix + "PORT"] == str(SERVERS[engine]["port"])
        user = [v for k, v in server["environment"].items() if k.endswith("_USER")]
        assert user == [environment[prefix + "USER"]]
        server_env = server["environment"]
        assert server_env[SERVERS[engine]["database"]] == deployed.databases[name]
        assert server_env[SERVERS[engine]["password"]] == environment[prefix + "PASS"]
        assert f"`{prefix}HOST`, `_PORT`, `_USER`, `_PASS`" in deployed.deployment
    assert set(environment) == expected
    for variable in environment:
        match = re.fullmatch(r"DB_(\w+?)_([A-Z]+)", variable)
        if match:
            assert match[1] in instance_names and match[2] in SETTINGS
    assert "`DB_<NAME>_<KEY>`" in deployed.deployment
    # Secrets: the shell's, required (compose stops naming one that is
    # missing), and each one docs/deployment.md tells how to make.
    text = json.dumps(deployed.compose)  # its values, without its comments
    required = set(re.findall(r"\$\{(\w+):\?[^}]+\}", text))
    assert set(re.findall(r"\$\{(\w+)", text)) == required
    assert required == {"SECRET_KEY"} | {
        f"DB_{name.upper()}_PASS" for name, _ in deployed.on_servers
    }
    for variable in required:
        assert re.search(
            rf"^export {variable}=\"\$\(python3 -c ", deployed.deployment, re.M
        )
    secrets = {"SECRET_KEY", *(server["password"] for server in SERVERS.values())}
    for service in services.values():
        for key, value in (service.get("environment") or {}).items():
            if key in secrets or key.endswith("_PASS"):
                assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", value), (key, value)


def test_the_secrets_file_stays_out_of_git_and_the_image(deployed, tmp_path):
    (deployed.project / ".env").write_text("SECRET_KEY=not-for-git\n")
    try:
        assert "/.env\n" in (deployed.project / ".gitignore").read_text()
        files = image_files(deployed.project, tmp_path / "image")
        assert not (files / ".env").exists()
        assert not (files / "compose.yaml").exists() and not (files / "deploy").exists()
        for needed in ("gunicorn.conf.py", "wsgi.py", "manage.py", "migrations/env.py"):
            assert (files / needed).is_file(), needed
    finally:
        (deployed.project / ".env").unlink()


def nginx_directives(text):
    """(directive, arguments) of nginx.conf, comments dropped, in order."""
    text = re.sub(r"#[^\n]*", "", text)
    return [
        (words[0], words[1:])
        for statement in re.split(r"[;{}]", text)
        if (words := statement.split())
    ]


def test_nginx_buffers_whole_requests_and_passes_them_to_the_replicas(deployed):
    directives = nginx_directives(deployed.nginx)
    settings = {name: arguments for name, arguments in directives}
    assert settings["proxy_request_buffering"] == ["on"]
    for timeout in ("client_header_timeout", "client_body_timeout"):
        assert re.fullmatch(r"\d+s", settings[timeout][0]), timeout
    # Longer than gunicorn's worker timeout: nginx never gives up first.
    read_timeout = int(settings["proxy_read_timeout"][0].removesuffix("s"))
    assert read_timeout > deployed.gunicorn["timeout"]
    # The app's own body limit.
    api = (deployed.project / "config/api.py").read_text()
    limit = eval(re.search(r"^MAX_CONTENT_LENGTH = (.+)$", api, re.M)[1])  # noqa: S307
    assert settings["client_max_body_size"] == [f"{limit // 2**20}m"]
    # The upstream is compose's app service on the image's port; nginx
    # listens on the port compose publishes.
    (upstream,) = [
        arguments for name, arguments in directives if name == "server" and arguments
    ]
    host, port = upstream[0].split(":")
    assert host in deployed.compose["services"] and int(port) == deployed.port
    assert settings["proxy_pass"] == ["http://app"]
    proxy = deployed.compose["services"]["proxy"]
    (published,) = proxy["ports"]
    assert published.split(":")[-1] == settings["listen"][0]
    (mount,) = proxy["volumes"]
    source, target, mode = mount.split(":")
    assert (deployed.project / source).resolve() == (
        deployed.project / "deploy/nginx.conf"
    ).resolve()
    assert (target, mode) == ("/etc/nginx/nginx.conf", "ro")


# deploy/kubernetes/.


def pod_of(manifest):
    return manifest["spec"]["template"]["spec"]


def test_the_deployment_runs_the_image_as_its_user_with_probes(deployed):
    deployment = deployed.manifests["deployment.yaml"]
    pod = pod_of(deployment)
    (container,) = pod["containers"]
    assert container["command"] == deployed.serve
    assert container["ports"] == [{"name": "http", "containerPort": deployed.port}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/up", "port": "http"}
    assert set(container["resources"]["requests"]) == {"cpu", "memory"}
    assert "memory" in container["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == deployed.uid
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    # What the app writes: /tmp (gunicorn), and storage/ on a volume.
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert mounts == {
        "/tmp",
        *([f"{deployed.workdir}/storage"] if deployed.sqlite else []),
    }
    assert container["env"] == [{"name": "APP_ENV", "value": "production"}]
    # Graceful: the preStop pause, then gunicorn's graceful_timeout.
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert (
        pod["terminationGracePeriodSeconds"]
        > pause + deployed.gunicorn["graceful_timeout"]
    )


def test_kubernetes_migrates_before_the_new_code_serves(deployed):
    deployment = deployed.manifests["deployment.yaml"]
    (container,) = pod_of(deployment)["containers"]
    if deployed.sqlite:
        # One pod owns the volume: migrated in it, before gunicorn.
        assert deployment["spec"]["replicas"] == 1
        assert deployment["spec"]["strategy"] == {"type": "Recreate"}
        (init,) = pod_of(deployment)["initContainers"]
        assert init["command"] == deployed.upgrade
        migrator = init
        (claim,) = [
            volume["persistentVolumeClaim"]["claimName"]
            for volume in pod_of(deployment)["volumes"]
            if "persistentVolumeClaim" in volume
        ]
        assert claim == deployed.manifests["storage.yaml"]["metadata"]["name"]
    else:
        assert deployment["spec"]["replicas"] == 3
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        job = deployed.manifests["migrate-job.yaml"]
        (migrator,) = pod_of(job)["containers"]
        assert migrator["command"] == deployed.upgrade
        assert pod_of(job)["restartPolicy"] == "Never"
        assert pod_of(job)["securityContext"] == pod_of(deployment)["securityContext"]
        # Its pod is no replica: the Service never sends it a request.
        selector = deployed.manifests["service.yaml"]["spec"]["selector"]
        labels = job["spec"]["template"]["metadata"]["labels"]
        assert not selector.items() <= labels.items()
        name = job["metadata"]["name"]
        order = [
            "kubectl apply -f deploy/kubernetes/migrate-job.yaml",
            f"kubectl wait --for=condition=complete --timeout=15m job/{name}",
            "kubectl apply -f deploy/kubernetes/service.yaml "
            "-f deploy/kubernetes/deployment.yaml",
        ]
        positions = [deployed.deployment.index(line) for line in order]
        assert positions == sorted(positions)
    for key in ("image", "env", "envFrom", "securityContext"):
        assert migrator[key] == container[key], key


def test_the_service_reaches_the_deployments_pods_and_secrets_stay_out(deployed):
    deployment = deployed.manifests["deployment.yaml"]
    service = deployed.manifests["service.yaml"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]
    (port,) = service["spec"]["ports"]
    assert port["targetPort"] == "http"
    (container,) = pod_of(deployment)["containers"]
    (source,) = container["envFrom"]
    secret = source["secretRef"]["name"]
    assert f"kubectl create secret generic {secret} " in deployed.deployment
    assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", secret) and len(secret) <= 40
    for name, _ in deployed.on_servers:
        for key in ("HOST", "USER", "PASS"):
            assert f"--from-literal=DB_{name.upper()}_{key}=..." in deployed.deployment
    for path in (deployed.project / "deploy").rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "kind: Secret" not in text
            # A value, where docs/deployment.md's commands hold "...".
            secret = r"(SECRET_KEY|_PASS(WORD)?)\s*[:=]\s*(?!\.\.\.)\S"
            assert not re.search(secret, text), path
