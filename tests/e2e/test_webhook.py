"""`factbot run --webhook` as an operator starts it: a real process that registers its webhook with the
fake Bot API, takes updates posted to its port as the load balancer would (only with the secret),
answers, serves /healthz and /metrics, logs JSON lines without the token, and stops on SIGTERM.
On PostgreSQL, /healthz turns unhealthy when the database stops and healthy again when it is back."""

import asyncio
import contextlib
import glob
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from fake_telegram import FakeTelegram
from prometheus_client.parser import text_string_to_metric_families

FACTBOT = Path(sys.executable).parent / "factbot"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TRAINS_2022 = "2022年江津班列开了多少列？"
GDP_2019 = "2019年江津区GDP"
SECRET = "webhook-Secret_0123456789"
URL = "https://bot.example.test/telegram"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
P = pytest.param


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_env(fake: FakeTelegram, tmp_path: Path, database_url: str, **extra: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "FACTBOT_", "DATABASE_", "WEBHOOK_", "METRICS_", "LOG_"))
    }
    return env | {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_FILE_URL": fake.base_file_url,
        "DATABASE_URL": database_url,
        "FACTBOT_SEEDS_DIR": str(SEEDS),
        "FACTBOT_CACHE_DIR": str(tmp_path / "cache"),
        "WEBHOOK_URL": URL,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        **extra,
    }


class Bot:
    """The `factbot run --webhook` process (or another command), its output in files (a full pipe would
    stall it)."""

    def __init__(self, env: dict, cwd: Path, command: tuple[str, ...] = ("run", "--webhook")):
        self.out, self.err = cwd / "stdout.log", cwd / "stderr.log"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [str(FACTBOT), *command], env=env, cwd=cwd, stdout=out, stderr=err
            )

    def output(self) -> tuple[str, str]:
        return self.out.read_text(encoding="utf-8"), self.err.read_text(encoding="utf-8")

    async def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        for _ in range(300):
            if self.process.poll() is not None:
                return self.process.returncode
            await asyncio.sleep(0.1)
        self.process.kill()
        raise AssertionError("factbot did not stop within 30 s of SIGTERM")


async def started(fake: FakeTelegram, bot: Bot) -> None:
    """Wait until the webhook is set: the process then listens (it listens before setting it)."""
    try:
        await fake.wait_for("setWebhook", timeout=120)
    except AssertionError:
        await bot.stop()
        raise AssertionError(f"no setWebhook; stderr:\n{bot.output()[1][-3000:]}") from None


async def healthz(http: aiohttp.ClientSession, port: int) -> tuple[int, dict]:
    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status, await response.json()


async def metric_values(http: aiohttp.ClientSession, port: int) -> dict[str, float]:
    async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200 and response.content_type == "text/plain"
        text = await response.text()
    return {
        s.name: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if not s.labels
    }


@pytest.mark.asyncio
async def test_webhook_takes_only_secret_updates_answers_and_reports(fake_telegram: FakeTelegram, tmp_path):
    port = free_port()
    bot = Bot(
        bot_env(
            fake_telegram,
            tmp_path,
            f"sqlite:///{tmp_path / 'facts.db'}",
            WEBHOOK_PORT=str(port),
            LOG_FORMAT="json",
        ),
        tmp_path,
    )
    hook = f"http://127.0.0.1:{port}/telegram"
    try:
        await started(fake_telegram, bot)
        [call] = [c for c in fake_telegram.calls if c.method == "setWebhook"]
        assert call.params["url"] == URL and call.params["secret_token"] == SECRET
        assert (
            "message" in call.params["allowed_updates"] and "callback_query" in call.params["allowed_updates"]
        )
        async with aiohttp.ClientSession() as http:
            refused = [
                fake_telegram.unqueue(fake_telegram.user_message(GDP_2019, chat_id=c, user_id=c))
                for c in (2001, 2002)
            ]
            async with http.post(hook, json=refused[0]) as response:
                assert response.status == 403
            async with http.post(hook, json=refused[1], headers={HEADER: SECRET[:-1] + "x"}) as response:
                assert response.status == 403
            async with http.post(hook, data=b"{not json", headers={HEADER: SECRET}) as response:
                assert response.status == 400
            update = fake_telegram.unqueue(fake_telegram.user_message(TRAINS_2022))
            async with http.post(hook, json=update, headers={HEADER: SECRET}) as response:
                assert response.status == 200
            [reply] = await fake_telegram.wait_for("sendMessage", timeout=30)
            assert reply.params["chat_id"] == 1001
            assert "<b>536列</b>" in reply.params["text"] and "来源：《" in reply.params["text"]

            status, report = await healthz(http, port)
            assert (status, report["database"], report["telegram"]) == (200, True, True) and report[
                "facts"
            ] > 100
            values = await metric_values(http, port)
            assert values["factbot_questions_total"] == 1 and values["factbot_abstentions_total"] == 0
            assert values["factbot_answer_seconds_count"] == 1
            assert (
                values["factbot_webhook_refused_total"] == 2 and values["factbot_webhook_invalid_total"] == 1
            )
        assert [c.params["chat_id"] for c in fake_telegram.calls if c.method == "sendMessage"] == [1001]
    finally:
        code = await bot.stop()
    out, err = bot.output()
    assert code == 0, err[-3000:]
    assert fake_telegram.token not in out + err and SECRET not in out + err, "secrets must never be logged"
    entries = [json.loads(line) for line in err.splitlines()]  # every stderr line is one JSON object
    assert entries and all({"ts", "level", "logger", "message"} <= entry.keys() for entry in entries)
    # the second refusal within the minute is counted, not logged
    assert sum("without the right secret" in e["message"] for e in entries) == 1
    assert not [c for c in fake_telegram.calls if c.method == "deleteWebhook"], (
        "other replicas keep the webhook"
    )


@pytest.mark.parametrize(
    "change, message",
    [
        P({"WEBHOOK_SECRET": ""}, "webhook mode needs WEBHOOK_SECRET", id="no-secret"),
        P({"WEBHOOK_SECRET": "has spaces"}, "WEBHOOK_SECRET must be 1 to 256 characters", id="bad-secret"),
        P({"WEBHOOK_URL": ""}, "webhook mode needs WEBHOOK_URL", id="no-url"),
        P(
            {"WEBHOOK_URL": "http://bot.example.test/telegram"},
            "WEBHOOK_URL must be an https:// URL",
            id="http",
        ),
        P(
            {"WEBHOOK_URL": "https://bot.example.test:8080/telegram"},
            "only to ports 443, 80, 88 and 8443",
            id="port",
        ),
        P({"TELEGRAM_BOT_TOKEN": ""}, "--webhook needs TELEGRAM_BOT_TOKEN", id="no-token"),
    ],
)
def test_webhook_settings_are_checked_before_starting(fake_telegram: FakeTelegram, tmp_path, change, message):
    env = bot_env(
        fake_telegram, tmp_path, f"sqlite:///{tmp_path / 'facts.db'}", WEBHOOK_PORT=str(free_port())
    )
    run = subprocess.run(
        [str(FACTBOT), "run", "--webhook"],
        env=env | change,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("factbot: ") and message in run.stderr and "Traceback" not in run.stderr
    assert not fake_telegram.calls, "nothing starts with settings that cannot work"


# ---- PostgreSQL that the test may stop ---------------------------------------------------------


class Postgres:
    """A private PostgreSQL cluster in a temporary folder (the shared server on 5432 is never touched)."""

    def __init__(self, bin_dir: Path, folder: Path):
        self.bin, self.folder, self.port = bin_dir, folder, free_port()
        self.data = folder / "data"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            capture_output=True,
            timeout=120,
            cwd=self.folder,
        )

    def init(self) -> None:
        self._as_postgres(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        )

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found or os.geteuid() != 0 or not shutil.which("runuser"):
        pytest.fail("needs PostgreSQL's initdb and pg_ctl, and root to run them as the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="factbot-pg-"))  # not under pytest's root-only tmp folders
    shutil.chown(folder, "postgres", "postgres")
    server = Postgres(Path(found[-1]).parent, folder)
    try:
        server.init()
        server.start()
        yield server
    finally:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(server.bin / "pg_ctl"),
                "-D",
                str(server.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


async def wait_for_health(http: aiohttp.ClientSession, port: int, want: int, timeout: float = 20) -> dict:
    """Poll /healthz until it answers `want`; the last report."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    status, report = await healthz(http, port)
    while status != want:
        assert loop.time() < deadline, f"/healthz still {status} {report} after {timeout} s"
        await asyncio.sleep(0.2)
        status, report = await healthz(http, port)
    return report


@pytest.mark.asyncio
async def test_healthz_turns_unhealthy_when_the_database_stops(
    fake_telegram: FakeTelegram, postgres, tmp_path
):
    port, metrics_port = free_port(), free_port()
    bot = Bot(
        bot_env(
            fake_telegram, tmp_path, postgres.url, WEBHOOK_PORT=str(port), METRICS_PORT=str(metrics_port)
        ),
        tmp_path,
    )
    try:
        await started(fake_telegram, bot)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert (
                    response.status == 404
                )  # with METRICS_PORT set, the webhook port serves only the webhook
            report = await wait_for_health(http, metrics_port, 200)
            assert report["database"] and report["telegram"] and report["facts"] > 100

            postgres.stop()
            started_at = asyncio.get_running_loop().time()
            report = await wait_for_health(http, metrics_port, 503, timeout=10)
            assert report["database"] is False and report["facts"] > 100 and report["telegram"] is True
            assert asyncio.get_running_loop().time() - started_at < 10

            postgres.start()
            report = await wait_for_health(http, metrics_port, 200, timeout=20)
            assert report["database"] is True
    finally:
        code = await bot.stop()
    out, err = bot.output()
    assert code == 0, err[-3000:]
    assert fake_telegram.token not in out + err


def listening_addresses(port: int) -> set[str]:
    """The IPv4/IPv6 addresses something listens on at TCP `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.partition(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    raw = bytes.fromhex(address)
                    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))  # host order
                    found.add(str(ipaddress.ip_address(words)))
    return found


@pytest.mark.asyncio
async def test_polling_serves_health_and_metrics_on_metrics_port(fake_telegram: FakeTelegram, tmp_path):
    """Plain `factbot run` (long polling) has /healthz and /metrics too when METRICS_PORT is set, on
    127.0.0.1 only unless METRICS_LISTEN says otherwise (issue 12: not on every interface)."""
    metrics_port = free_port()
    env = bot_env(
        fake_telegram, tmp_path, f"sqlite:///{tmp_path / 'facts.db'}", METRICS_PORT=str(metrics_port)
    )
    del env["WEBHOOK_LISTEN"]  # the systemd recipe's settings: only the defaults
    bot = Bot(env, tmp_path, ("run",))
    try:
        await fake_telegram.wait_for("getUpdates", timeout=120)
        async with aiohttp.ClientSession() as http:
            await wait_for_health(http, metrics_port, 200)
        assert listening_addresses(metrics_port) == {"127.0.0.1"}
        fake_telegram.user_message(TRAINS_2022)
        await fake_telegram.wait_for("sendMessage", timeout=30)
        async with aiohttp.ClientSession() as http:
            report = await wait_for_health(http, metrics_port, 200)
            assert report["database"] and report["telegram"] and report["facts"] > 100
            values = await metric_values(http, metrics_port)
            assert values["factbot_questions_total"] == 1 and values["factbot_answer_seconds_count"] == 1
    finally:
        code = await bot.stop()
    out, err = bot.output()
    assert code == 0, err[-3000:]
    assert fake_telegram.token not in out + err
    assert not [c for c in fake_telegram.calls if c.method == "setWebhook"]
