"""Dependencies point down only: `facts` imports neither Telegram nor `bot`, and the command line's
`factbot subscriptions` reads the bot's state without importing Telegram."""

import subprocess
import sys

IMPORT_ALL_FACTS = """
import importlib, pkgutil, sys
import facts
for module in pkgutil.walk_packages(facts.__path__, "facts."):
    importlib.import_module(module.name)
print(sorted({name.split(".")[0] for name in sys.modules} & {"telegram", "bot", "aiohttp", "apscheduler"}))
"""

SUBSCRIPTIONS_WITHOUT_TELEGRAM = """
import sys
from bot.cli import main
main(["subscriptions"])
print("telegram" in sys.modules)
"""


def run(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PATH": "", **env}
    )
    return done.stdout.strip().splitlines()[-1]


def test_facts_imports_no_telegram_and_no_bot():
    assert run(IMPORT_ALL_FACTS) == "[]"


def test_factbot_subscriptions_does_not_import_telegram(tmp_path):
    assert run(SUBSCRIPTIONS_WITHOUT_TELEGRAM, DATABASE_URL=f"sqlite:///{tmp_path / 'facts.db'}") == "False"
