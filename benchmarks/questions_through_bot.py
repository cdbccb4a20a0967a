"""Ask a question set through the real bot over HTTP (a local fake Bot API) and score the replies.

A reply to an answerable question counts when it carries the expected figure and a source line
(来源：《…》 (file, line)) from an expected document; an unanswerable one counts when the bot says the
reports do not have it. Every message must also have been accepted under Telegram's rules.

    python benchmarks/questions_through_bot.py [--questions ../shared/eval/dev.jsonl]
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from http import HTTPStatus
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from fake_telegram import FakeTelegram
from telegram import Update

from bot.app import build_application
from bot.state.settings import Settings
from facts.store.db import make_engine
from facts.store.service import FactService

SCALES = [("万亿", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3), ("百", 1e2)]


def figure_texts(value: float, unit: str, alternatives: list) -> list[str]:
    """The ways the expected figure may be written: 148亿元, 1480000万元 …"""
    return [f"{float(v):g}{u}" for v, u in [(value, unit), *alternatives]]


async def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    args = parser.parse_args()
    items = [
        json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    folder = Path(tempfile.mkdtemp(prefix="factbot-qbot-"))
    url = f"sqlite:///{folder / 'facts.db'}"
    service = FactService(make_engine(url), Settings(database_url=url, factbot_seeds_dir=ROOT / "seeds"))
    service.build()
    correct, refused, started = 0, 0, time.perf_counter()
    misses = []
    async with FakeTelegram() as fake:
        app = build_application(
            Settings(
                telegram_bot_token=fake.token,
                telegram_api_base_url=fake.base_url,
                telegram_api_file_url=fake.base_file_url,
                database_url=url,
            ),
            service,
        )
        await app.initialize()
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=0.5, allowed_updates=Update.ALL_TYPES)
        try:
            for n, item in enumerate(items):
                chat = 5000 + n
                fake.user_message(item["q"], chat_id=chat, user_id=chat)
                calls = await fake.wait_for(
                    "sendMessage", lambda c, chat=chat: c.params.get("chat_id") == chat, timeout=30
                )
                text = calls[-1].params["text"]
                if item["answerable"]:
                    docs = item.get("docs") or [item["doc"]]
                    ok = (
                        any(
                            f in text.replace("<b>", "").replace("</b>", "")
                            for f in figure_texts(item["value"], item["unit"], item.get("alt", []))
                        )
                        and "来源：《" in text
                        and any(f"({d}, 第" in text for d in docs)
                    )
                else:
                    ok = "报告中没有" in text
                correct += ok
                if not ok:
                    misses.append({"id": item["id"], "q": item["q"], "reply": text[:160]})
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
        refused = sum(
            1
            for c in fake.calls
            if c.method in {"sendMessage", "sendPhoto", "editMessageText"}
            and HTTPStatus.BAD_REQUEST <= c.status < HTTPStatus.INTERNAL_SERVER_ERROR
        )
    return {
        "command": "python benchmarks/questions_through_bot.py --questions " + str(args.questions),
        "questions": len(items),
        "correct": correct,
        "share": round(correct / len(items), 4),
        "refused_by_telegram_rules": refused,
        "seconds": round(time.perf_counter() - started, 2),
        "misses": misses,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), ensure_ascii=False))
