"""deploy/: lint what can be linted without a Docker engine.

compose.yaml against the Compose Specification's JSON schema (the copy check-jsonschema ships) plus
what the schema cannot say (two replicas, shared volumes, health); the systemd unit with
`systemd-analyze verify`; the Caddyfile with `caddy validate` when caddy is installed; .env.example
against bot.state.settings.Settings; the Dockerfile's stages, user, health check and its cache-warming
step, which is run here twice to show that a start after it writes nothing into the cache."""

import http.server
import json
import os
import re
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path

import check_jsonschema  # noqa: F401 — ships the compose schema
import jsonschema
import pytest
from pydantic import SecretStr
from ruamel import yaml  # check-jsonschema (a dev dependency) brings it

from bot.state.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
SETTINGS = {name.upper() for name in Settings.model_fields}
# variables in .env.example that are not Settings fields, and who reads them
NOT_SETTINGS = {
    "FACTBOT_CACHE_DIR": "facts/text.py (os.environ)",
    "POSTGRES_PASSWORD": "compose.yaml",
    "FACTBOT_DOMAIN": "compose.yaml → Caddyfile",
    "FACTBOT_IMAGE_TAG": "compose.yaml",
}
ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def secret_fields() -> set[str]:
    """Settings fields typed SecretStr (or SecretStr | None)."""
    return {
        name.upper()
        for name, field in Settings.model_fields.items()
        if field.annotation is SecretStr or SecretStr in getattr(field.annotation, "__args__", ())
    }


SECRETS = secret_fields() | {"POSTGRES_PASSWORD"}


# --- .env.example ----------------------------------------------------------------------------------


def env_example() -> list[tuple[str, str, bool, str]]:
    """(name, value, active, comment above) for every `NAME=value` or `# NAME=value` line."""
    rows, comment = [], ""
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line)
        if match:
            rows.append((match.group(2), match.group(3), match.group(1) is None, comment))
        elif line.startswith("#"):
            comment = line.lstrip("# ").strip()
        else:
            comment = ""
    return rows


def test_env_example_lists_every_setting_once():
    names = [name for name, *_ in env_example()]
    assert len(names) == len(set(names)), "a variable is listed twice"
    assert set(names) - set(NOT_SETTINGS) == SETTINGS
    assert set(NOT_SETTINGS) <= set(names)


def test_env_example_explains_every_variable():
    for name, _, _, comment in env_example():
        assert comment, f"{name} has no comment line above it"


def test_env_example_leaves_secrets_empty():
    values = {name: value for name, value, *_ in env_example()}
    assert {name: values[name] for name in SECRETS} == dict.fromkeys(SECRETS, "")


def test_env_example_values_never_carry_an_inline_comment():
    """systemd's EnvironmentFile= would keep ` # …` as part of the value."""
    for name, value, *_ in env_example():
        assert "#" not in value and value == value.strip(), name


@pytest.fixture
def clean_environment(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("uncomment", [False, True], ids=["as shipped", "every example value set"])
def test_env_example_is_valid_for_settings(tmp_path, clean_environment, uncomment):
    rows = env_example()
    text = "\n".join(f"{name}={value}" for name, value, active, _ in rows if active or uncomment)
    (tmp_path / "factbot.env").write_text(text + "\n", encoding="utf-8")
    settings = Settings(_env_file=tmp_path / "factbot.env")
    assert settings.log_format == "json"
    if uncomment:
        assert settings.metrics_port == 9100


def test_variables_that_are_not_settings_are_used():
    deploy_text = "".join(
        (DEPLOY / name).read_text(encoding="utf-8")
        for name in ("compose.yaml", "Caddyfile", "Dockerfile", "factbot.service")
    )
    facts_text = (REPO / "facts" / "text.py").read_text(encoding="utf-8")
    for name in NOT_SETTINGS:
        assert name in deploy_text or name in facts_text, name


# --- compose.yaml ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.YAML(typ="safe", pure=True).load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose_validator():
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_compose_file_follows_the_compose_specification(compose, compose_validator):
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in compose_validator.iter_errors(compose)
    ]
    assert errors == []


def test_the_schema_check_catches_mistakes(compose, compose_validator):
    broken = json.loads(json.dumps(compose))
    broken["services"]["postgres"]["healthcheck"]["tset"] = broken["services"]["postgres"]["healthcheck"].pop(
        "test"
    )
    broken["services"]["lb"]["depends_on"] = {"bot-a": {"condition": "service_healty"}}
    assert len(list(compose_validator.iter_errors(broken))) >= 2


def bot_services(compose: dict) -> dict[str, dict]:
    return {
        name: service
        for name, service in compose["services"].items()
        if isinstance(service.get("build"), dict)
        and service["build"].get("dockerfile") == "deploy/Dockerfile"
    }


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    return (
        dict(item.split("=", 1) for item in env)
        if isinstance(env, list)
        else {k: str(v) for k, v in env.items()}
    )


def test_compose_runs_two_bot_replicas_of_the_image(compose):
    bots = bot_services(compose)
    assert sum(service.get("deploy", {}).get("replicas", 1) for service in bots.values()) == 2
    for service in bots.values():
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        assert service["command"] == ["run", "--webhook"]
        assert service["restart"] in ("always", "unless-stopped", "on-failure")
        assert service["env_file"] == ".env"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert all(str(port).startswith("127.0.0.1:") for port in service.get("ports", [])), (
            "only the LB is public"
        )
    ids = [environment(service).get("FACTBOT_REPLICA_ID") for service in bots.values()]
    assert len(set(ids)) == len(ids)


def test_bots_share_the_postgresql_database(compose):
    for name, service in bot_services(compose).items():
        env = environment(service)
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://"), name
        assert "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["LOG_FORMAT"] == "json"
        assert Settings.model_fields.keys() >= {key.lower() for key in env}, "a typo in a variable name"


def test_postgres_keeps_its_data_in_a_named_volume_and_has_a_health_check(compose):
    postgres = compose["services"]["postgres"]
    assert re.fullmatch(r"postgres:1[56](\.\d+)?(-\w+)?", postgres["image"])
    source, target = postgres["volumes"][0].split(":")[:2]
    assert source in compose["volumes"] and target == "/var/lib/postgresql/data"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_bots_share_the_seeds_folder(compose):
    mounts = {
        tuple(volume.split(":")[:2])
        for service in bot_services(compose).values()
        for volume in service["volumes"]
    }
    assert len(mounts) == 1
    source, target = mounts.pop()
    assert target == "/app/seeds"
    assert source in compose["volumes"] or (DEPLOY / source).resolve() == REPO / "seeds"


def test_a_load_balancer_publishes_https_in_front_of_every_replica(compose):
    lb = compose["services"]["lb"]
    assert any(str(port).split(":")[-1] == "443" for port in lb["ports"])
    assert set(lb["depends_on"]) == set(bot_services(compose))
    config = [volume.split(":")[0] for volume in lb["volumes"] if volume.endswith(":/etc/caddy/Caddyfile:ro")]
    assert config == ["./Caddyfile"] and (DEPLOY / "Caddyfile").is_file()


def test_every_named_volume_and_interpolated_variable_is_declared(compose):
    used = {
        volume.split(":")[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
    }
    assert {name for name in used if not name.startswith((".", "/"))} == set(compose["volumes"])
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    variables = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    assert variables <= {name for name, *_ in env_example()}


# --- Caddyfile -----------------------------------------------------------------------------------------


def test_caddyfile_balances_over_every_replica_with_health_checks(compose):
    text = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    bots = bot_services(compose)
    upstreams = re.search(r"^\s*reverse_proxy ([^{\n]+)\{", text, re.MULTILINE).group(1).split()
    assert sorted(upstreams) == sorted(f"{name}:{environment(s)['WEBHOOK_PORT']}" for name, s in bots.items())
    ports = {environment(service)["METRICS_PORT"] for service in bots.values()}
    assert re.search(r"^\s*health_uri /healthz$", text, re.MULTILINE)
    assert re.search(rf"^\s*health_port {ports.pop()}$", text, re.MULTILINE)
    assert re.search(r"^\s*@internal path /healthz /metrics", text, re.MULTILINE), (
        "health and metrics stay inside"
    )
    assert text.count("{") == text.count("}")


# --- Dockerfile and .dockerignore -----------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) in order; continuation lines joined, heredoc bodies kept after a newline."""
    lines = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + " " + lines[i].strip()
            i += 1
        keyword, _, args = line.strip().partition(" ")
        heredoc = re.search(r"<<-?'?(\w+)'?", args)
        if heredoc:
            body = []
            while lines[i] != heredoc.group(1):
                body.append(lines[i])
                i += 1
            i += 1
            args += "\n" + "\n".join(body)
        out.append((keyword.upper(), args))
    return out


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def test_dockerfile_is_multi_stage_on_slim_python():
    instructions = dockerfile_instructions()
    stages = [args for keyword, args in instructions if keyword == "FROM"]
    assert len(stages) >= 2
    base = dict(args.split("=", 1) for keyword, args in instructions if keyword == "ARG" and "=" in args)
    final = re.sub(r"\$\{(\w+)\}", lambda m: base[m.group(1)], stages[-1].split()[0])
    assert final == "python:3.11-slim"
    assert any("--from=builder" in args for keyword, args in final_stage() if keyword == "COPY")


def test_dockerfile_runs_as_a_user_that_is_not_root():
    users = [args for keyword, args in final_stage() if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_dockerfile_health_check_entrypoint_and_command():
    final = dict(final_stage())
    assert "/healthz" in final["HEALTHCHECK"] and "urllib" in final["HEALTHCHECK"]
    assert "WEBHOOK_PORT" in final["HEALTHCHECK"] and "METRICS_PORT" in final["HEALTHCHECK"]
    assert json.loads(final["ENTRYPOINT"]) == ["factbot"]
    assert json.loads(final["CMD"]) == ["run", "--webhook"]


def healthcheck_command() -> list[str]:
    args = dict(final_stage())["HEALTHCHECK"]
    return json.loads(args[args.index(" CMD ") + len(" CMD ") :])


@pytest.fixture
def health_server():
    """A /healthz answering with the status the test sets; yields (port, set_status)."""
    status = {"code": 200}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(status["code"] if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], lambda code: status.update(code=code)
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "status, port_variable, healthy",
    [
        (200, "WEBHOOK_PORT", True),
        (503, "WEBHOOK_PORT", False),
        (200, "METRICS_PORT", True),
        (503, "METRICS_PORT", False),
    ],
    ids=["200 on the webhook port", "503 on the webhook port", "200 on METRICS_PORT", "503 on METRICS_PORT"],
)
def test_dockerfile_health_check_command(health_server, status, port_variable, healthy):
    port, set_status = health_server
    set_status(status)
    env = {key: value for key, value in os.environ.items() if key not in ("WEBHOOK_PORT", "METRICS_PORT")}
    env["WEBHOOK_PORT"] = "1"  # nothing listens there: METRICS_PORT, when set, must win
    env[port_variable] = str(port)
    command = [sys.executable if word == "python" else word for word in healthcheck_command()]
    result = subprocess.run(command, check=False, capture_output=True, env=env, timeout=30)
    assert (result.returncode == 0) == healthy


def test_dockerfile_bakes_in_no_secret():
    for keyword, args in dockerfile_instructions():
        if keyword in ("ENV", "ARG"):
            assert not (SECRETS | {"DATABASE_URL"}) & set(re.findall(r"([A-Z_]+)=", args)), args


def warm_step() -> str:
    """The Python the image runs at build time to fill FACTBOT_CACHE_DIR."""
    runs = [args for keyword, args in final_stage() if keyword == "RUN" and "pinyin_table" in args]
    assert len(runs) == 1
    head, _, body = runs[0].partition("\n")
    assert head.startswith("python - <<")
    return body


def test_dockerfile_warms_the_cache_as_the_user_that_reads_it():
    final = final_stage()
    keywords = [keyword for keyword, _ in final]
    warm = next(i for i, (keyword, args) in enumerate(final) if keyword == "RUN" and "pinyin_table" in args)
    assert "USER" in keywords[:warm]
    env = " ".join(args for keyword, args in final[:warm] if keyword == "ENV")
    assert "FACTBOT_CACHE_DIR=/app/cache" in env and "MPLCONFIGDIR=/app/cache/" in env


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


START = (
    "from facts.lexicon import load_lexicon; from facts.text import Tokenizer, pinyin_table; "
    "Tokenizer(load_lexicon()); pinyin_table()"
)


def test_after_the_warm_step_a_start_writes_nothing_into_the_cache(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "FACTBOT_CACHE_DIR": str(cache), "MPLCONFIGDIR": str(cache / "matplotlib")}
    subprocess.run(
        [sys.executable, "-"],
        input=warm_step(),
        text=True,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        cwd=tmp_path,
    )
    names = set(snapshot(cache))
    assert "jieba-min20.txt" in names and any(re.fullmatch(r"pinyin-[\w.]+\.json", n) for n in names)
    assert not any(n.endswith(".pickle") for n in names) and any(
        re.fullmatch(r"jieba\.u\w+\.cache", n) for n in names
    )
    for path in cache.rglob("*"):  # image layers may keep whole seconds only
        os.utime(path, (int(path.stat().st_mtime), int(path.stat().st_mtime)))
    before = snapshot(cache)
    subprocess.run(
        [sys.executable, "-c", START], env=env, check=True, timeout=120, capture_output=True, cwd=tmp_path
    )
    assert snapshot(cache) == before


def test_dockerignore_lets_in_what_the_dockerfile_copies_and_nothing_secret():
    rules = [
        line
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert rules[0] == "*", "an allow-list: nothing enters the build context unless named"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = set()
    for keyword, args in dockerfile_instructions():
        if keyword == "COPY" and "--from=" not in args:
            copied.update(
                word.rstrip("/").removeprefix("./") for word in args.split()[:-1] if not word.startswith("--")
            )
    assert copied <= allowed
    assert not {name for name in allowed if ".env" in name or name in (".git", ".venv", "data")}
    assert (REPO / "README.md").is_file() and "README.md" in allowed, "pyproject.toml names it as the readme"


# --- systemd unit -----------------------------------------------------------------------------------------


def unit_settings() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "factbot.service").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_unit_runs_the_venv_in_polling_mode_as_a_dedicated_user():
    unit = unit_settings()
    assert unit["ExecStart"] == ["/opt/factbot/.venv/bin/factbot run"]
    assert unit["User"][0] not in ("root", "0") and unit["EnvironmentFile"] == ["/etc/factbot/factbot.env"]
    assert unit["Restart"] == ["on-failure"]
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert unit[option] == ["yes"], option
    assert unit["ProtectSystem"] == ["strict"]


def test_unit_may_write_where_its_data_and_cache_live():
    unit = unit_settings()
    env = dict(item.split("=", 1) for item in unit["Environment"])
    writable = unit["ReadWritePaths"][0].split()
    database = env["DATABASE_URL"].removeprefix("sqlite:///")
    for path in (
        database,
        env["FACTBOT_SEEDS_DIR"],
        env["FACTBOT_CACHE_DIR"],
        env["MPLCONFIGDIR"],
        unit["WorkingDirectory"][0],
    ):
        assert any(path == folder or path.startswith(folder + "/") for folder in writable), path


def verify_unit(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    """systemd-analyze verify on a copy whose ExecStart exists on this machine (the venv does not)."""
    unit = tmp_path / "factbot.service"
    unit.write_text(
        text.replace("ExecStart=/opt/factbot/.venv/bin/factbot", "ExecStart=/bin/true"), encoding="utf-8"
    )
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unit_passes_systemd_analyze_verify(tmp_path):
    """verify exits 0 even on unknown keys, so its output must be empty too."""
    result = verify_unit(tmp_path, (DEPLOY / "factbot.service").read_text(encoding="utf-8"))
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize(
    "good, bad, complaint",
    [
        ("Restart=on-failure", "Restart=sometimes", "restart specifier"),
        ("NoNewPrivileges=yes", "NoNewPrivilege=yes", "Unknown key 'NoNewPrivilege'"),
        ("[Service]", "[Servic]", "Unknown section 'Servic'"),
    ],
    ids=["bad value", "misspelt key", "misspelt section"],
)
def test_systemd_analyze_verify_catches_mistakes(tmp_path, good, bad, complaint):
    text = (DEPLOY / "factbot.service").read_text(encoding="utf-8")
    result = verify_unit(tmp_path, text.replace(good, bad))
    assert complaint in result.stdout + result.stderr
