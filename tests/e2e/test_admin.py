"""Admin scenarios end to end: the real Application polling the fake Bot API, over a store and a seeds
folder of each test's own (these scenarios change both).

/reload, report uploads (with 覆盖/取消 for a same-named file), /stats and /facts for the admin (user
42); a polite refusal and no change for anyone else; the audit log and counters behind them, also as
`factbot audit` and `factbot stats --json` show them. Assertions are on what the fake recorded and on
the real files and store.
"""

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from fake_documents import user_document
from fake_telegram import Call, FakeTelegram
from sqlmodel import Session
from telegram.ext import Application
from test_bot import assert_html_reply, callback_data, ok_calls, settled, start_polling, stop_polling, to

from bot.app import build_application
from bot.state import counters
from bot.state.audit import audit_log
from bot.state.models import DailyCount
from bot.state.settings import Settings
from facts.store.db import make_engine
from facts.store.service import FactService

pytestmark = pytest.mark.asyncio
P = pytest.param
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FACTBOT = Path(sys.executable).parent / "factbot"
ADMIN, VISITOR = 42, 7
S001, S002, S003 = "001_fcfb30629f7c2435.txt", "002_ba9281ac6892e17c.txt", "003_a3a47e7fd0985b29.txt"
TRAINS = "2022年江津班列开了多少列？"
TRAINS_SOURCE = f"{S001}, 第161行"
MARKET = "2024年，江津区新增市场主体20000家，同比增长8.3%。\n"
VISITORS = "2024年，江津区接待游客2100万人次，同比增长12.5%。\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(200)
REFUSAL = "管理员"  # "抱歉，这个操作只对管理员开放。"


# ---- a store, a seeds folder and a bot of the test's own ---------------------------------------


@pytest.fixture
def seeds(tmp_path) -> Path:
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


@pytest.fixture
def store(tmp_path, seeds, monkeypatch) -> FactService:
    """A FactService over a SQLite file in tmp_path, built from this test's copy of the seeds."""
    monkeypatch.setenv("FACTBOT_CACHE_DIR", str(tmp_path / "cache"))
    url = f"sqlite:///{tmp_path / 'facts.db'}"
    service = FactService(
        make_engine(url), Settings(database_url=url, factbot_seeds_dir=seeds, factbot_admin_ids="42")
    )
    assert service.build().documents == 5
    return service


@contextlib.asynccontextmanager
async def running_bot(fake: FakeTelegram, store: FactService, **settings) -> AsyncIterator[Application]:
    app = build_application(
        Settings(
            telegram_bot_token=fake.token,
            telegram_api_base_url=fake.base_url,
            telegram_api_file_url=fake.base_file_url,
            database_url=store.settings.database_url,
            factbot_seeds_dir=store.settings.factbot_seeds_dir,
            factbot_admin_ids="42",
            **settings,
        ),
        store,
    )
    await start_polling(app)
    try:
        yield app
    finally:
        await stop_polling(app)


@pytest_asyncio.fixture
async def bot(fake_telegram, store) -> AsyncIterator[Application]:
    async with running_bot(fake_telegram, store) as app:
        yield app


# ---- talking to the bot ------------------------------------------------------------------------


def say(fake: FakeTelegram, text: str, user: int = ADMIN) -> dict:
    """A private message from `user` (the chat id is the user id, as in Telegram)."""
    names = {ADMIN: ("Admin", "admin"), VISITOR: ("Visitor", "visitor")}
    first_name, username = names.get(user, ("Ana", None))
    return fake.user_message(text, chat_id=user, user_id=user, first_name=first_name, username=username)


def send_file(fake: FakeTelegram, data: bytes, name: str, user: int = ADMIN, **kwargs) -> dict:
    return user_document(fake, data, name, chat_id=user, user_id=user, **kwargs)


async def until(
    fake: FakeTelegram, chat_id: int, feed: Callable[[], object], marker: str, timeout: float = 20.0
) -> list[Call]:
    """Run `feed` and return the bot's new messages to the chat, up to one containing `marker`."""
    seen = {id(c) for c in ok_calls(fake, "sendMessage", chat_id)}
    feed()
    await fake.wait_for(
        "sendMessage",
        lambda c: to(chat_id)(c) and id(c) not in seen and marker in c.params["text"],
        timeout=timeout,
    )
    return [c for c in ok_calls(fake, "sendMessage", chat_id) if id(c) not in seen]


async def reply_to(fake: FakeTelegram, text: str, user: int = ADMIN) -> Call:
    """The bot's next message to `user` after `text`."""
    before = len(ok_calls(fake, "sendMessage", user))
    say(fake, text, user)
    return (await fake.wait_for("sendMessage", to(user), count=before + 1))[before]


def texts(calls: list[Call]) -> str:
    return "\n".join(c.params["text"] for c in calls)


async def reload(fake: FakeTelegram) -> str:
    """/reload as the admin: everything the bot said until it finished (or failed)."""
    calls = await until(fake, ADMIN, lambda: say(fake, "/reload"), "重新加载")
    if "正在" in calls[-1].params["text"]:  # the acknowledgement came first; wait for the outcome
        calls += await until(fake, ADMIN, lambda: None, "重新加载")
    return texts(calls)


async def trains_answer(fake: FakeTelegram, user: int = 1001) -> str:
    reply = await reply_to(fake, TRAINS, user)
    assert_html_reply(reply, TRAINS_SOURCE)
    return reply.params["text"]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def audited(store: FactService) -> list[tuple[str, int | None, str]]:
    """(action, user id, outcome), oldest first."""
    return [(e.action, e.user_id, e.outcome) for e in reversed(audit_log(store.engine))]


# ---- non-admins --------------------------------------------------------------------------------


async def test_non_admin_is_refused_every_admin_command_and_nothing_changes(fake_telegram, bot, store, seeds):
    edit(seeds / S001, "536列", "540列")  # a reload would pick this up
    files, info, facts = folder(seeds), store.store_info(), [(f.id, f.figure) for f in store.facts()]
    for command in ("/reload", "/stats", "/facts 江津班列"):
        reply = await reply_to(fake_telegram, command, VISITOR)
        assert REFUSAL in reply.params["text"], (command, reply.params["text"])
    [reply] = await until(
        fake_telegram, VISITOR, lambda: send_file(fake_telegram, MARKET.encode(), "new.txt", VISITOR), REFUSAL
    )
    await settled(fake_telegram, bot, VISITOR)
    assert len(ok_calls(fake_telegram, "sendMessage", VISITOR)) == 4  # one refusal each, nothing more
    assert ok_calls(fake_telegram, "getFile") == []  # the document was not even downloaded
    assert folder(seeds) == files
    assert (store.store_info().version, [(f.id, f.figure) for f in store.facts()]) == (info.version, facts)
    assert "<b>536列</b>" in await trains_answer(fake_telegram, VISITOR)
    assert sorted(audited(store)) == [
        ("facts", 7, "refused"),
        ("reload", 7, "refused"),
        ("stats", 7, "refused"),
        ("upload", 7, "refused"),
    ]


# ---- /reload -----------------------------------------------------------------------------------


async def test_reload_reports_what_changed_and_serves_the_new_facts(fake_telegram, bot, store, seeds):
    edit(seeds / S001, "536列", "540列")
    edit(seeds / S002, "1月-6月,江津区引进", "1月-5月,江津区引进")  # the period of three facts
    (seeds / S003).unlink()
    (seeds / "2024_jiangjin.txt").write_text(MARKET, encoding="utf-8")
    (seeds / "scan.txt").write_bytes(PNG)
    said = await reload(fake_telegram)
    assert "重新加载完成" in said, said
    for section, item in [
        ("新增报告", "2024_jiangjin.txt"),
        ("移除报告", S003),
        ("变化的数据", "536列 → 540列"),
        ("变化的数据", "协议引资 2023年1-6月 → 2023年1-5月"),
        ("新增数据", "20000家"),
        ("跳过的文件", "scan.txt"),
    ]:
        assert re.search(rf"{section}.*?\n(• .*\n)*• [^\n]*{re.escape(item)}", said), (section, item, said)
    assert re.search(r"scan\.txt：.*(binary|二进制)", said), said
    answer = await trains_answer(fake_telegram)
    assert "<b>540列</b>" in answer and "536列" not in answer
    assert audited(store)[-1][:2] == ("reload", ADMIN) and audited(store)[-1][2] == "ok"
    assert "没有变化" in await reload(fake_telegram)  # the same folder again


async def test_buttons_and_links_to_facts_from_before_a_reload_say_they_are_gone(
    fake_telegram, bot, store, seeds
):
    """Issue 12, item 7: after a rebuild on SQLite, an old suggestion button or /start f_<id> link
    showed another fact (ids were handed out again from 1); now it says the fact is gone."""
    old_id = next(f.id for f in store.facts() if f.figure == "536列")
    abstained = await reply_to(fake_telegram, "2018年江津班列开了多少列？")
    old_buttons = [d for d in callback_data(abstained.result) if d.startswith("fact:")]
    assert old_buttons, abstained.params["text"]
    (seeds / "000_53f751021545a504.txt").unlink()
    assert "重新加载完成" in await reload(fake_telegram)

    gone = await reply_to(fake_telegram, f"/start f_{old_id}")
    assert "不在库中" in gone.params["text"], gone.params["text"]
    for data in old_buttons:
        before = len(ok_calls(fake_telegram, "sendMessage", ADMIN))
        fake_telegram.callback_query(abstained.result, data, user_id=ADMIN)
        [*_, reply] = await fake_telegram.wait_for("sendMessage", to(ADMIN), count=before + 1)
        assert "不在库中" in reply.params["text"], (data, reply.params["text"])
    new_id = next(f.id for f in store.facts() if f.figure == "536列")
    shown = await reply_to(fake_telegram, f"/start f_{new_id}")
    assert "<b>536列</b>" in shown.params["text"]


async def test_questions_during_a_reload_get_the_old_or_the_new_facts_never_a_mix(fake_telegram, bot, seeds):
    edit(seeds / S001, "536列", "540列")
    seen = {id(c) for c in ok_calls(fake_telegram, "sendMessage", ADMIN)}

    def said(marker: str) -> Call | None:
        return next(
            (
                c
                for c in ok_calls(fake_telegram, "sendMessage", ADMIN)
                if id(c) not in seen and marker in c.params["text"]
            ),
            None,
        )

    say(fake_telegram, "/reload")
    during, after = [], []
    deadline = time.monotonic() + 120  # an upper bound for a slow machine, not an expected time
    while not said("重新加载完成"):
        assert time.monotonic() < deadline, "the reload did not finish"
        if len(during) < 500:  # a question every 10 ms while the reload runs (at most 500 of them)
            during.append(5000 + len(during))
            say(fake_telegram, TRAINS, during[-1])
        await asyncio.sleep(0.01)
    for n in range(5):
        after.append(6000 + n)
        say(fake_telegram, TRAINS, after[-1])
    chats = set(during + after)
    replies = await fake_telegram.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] in chats, count=len(chats)
    )
    assert sorted(c.params["chat_id"] for c in replies) == sorted(chats)  # one answer each, no apology
    figure = {}
    for reply in replies:
        assert_html_reply(reply, TRAINS_SOURCE)
        old, new = ("536列" in reply.params["text"]), ("540列" in reply.params["text"])
        assert old != new, reply.params["text"]
        figure[reply.params["chat_id"]] = "540列" if new else "536列"
    assert {figure[chat] for chat in after} == {"540列"}
    order = {id(c): i for i, c in enumerate(fake_telegram.calls)}
    started, finished = order[id(said("正在重新加载"))], order[id(said("重新加载完成"))]
    meanwhile = [r for r in replies if started < order[id(r)] < finished]
    assert meanwhile, "no question was answered while the reload ran"
    assert "536列" in {figure[r.params["chat_id"]] for r in meanwhile}
    assert not [c for c in fake_telegram.calls if c.method == "sendMessage" and not c.ok]


def only_broken_files(seeds: Path) -> None:
    for path in seeds.iterdir():
        path.write_bytes(PNG)


@pytest.mark.parametrize(
    "break_seeds",
    [
        P(only_broken_files, id="only-broken-files"),
        P(shutil.rmtree, id="no-seeds-folder"),
    ],
)
async def test_failed_reload_says_so_and_the_old_facts_keep_serving(
    fake_telegram, bot, store, seeds, break_seeds
):
    info = store.store_info()
    break_seeds(seeds)
    said = await reload(fake_telegram)
    assert "失败" in said and "重新加载完成" not in said, said
    assert "<b>536列</b>" in await trains_answer(fake_telegram)
    assert (store.store_info().version, store.store_info().facts) == (info.version, info.facts)
    action, user, outcome = audited(store)[-1]
    assert (action, user) == ("reload", ADMIN) and outcome.startswith("failed"), audited(store)
    stats = await reply_to(fake_telegram, "/stats")
    assert re.search(r"上次重新加载：.*reload（failed", stats.params["text"]), stats.params["text"]


# ---- uploads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_as", "saved_as", "data", "question", "figure"),
    [
        P(
            "2024_market.txt",
            "2024_market.txt",
            MARKET.encode(),
            "2024年江津新增市场主体多少家",
            "20000家",
            id="utf-8",
        ),
        P(
            "2024_visitors.txt",
            "2024_visitors.txt",
            VISITORS.encode("gb18030"),
            "2024年江津接待游客多少人次",
            "2100万人次",
            id="gb18030",
        ),
        P(
            "../../江津 2024.md",
            "江津_2024.md",
            ("\ufeff" + MARKET).encode(),
            "2024年江津新增市场主体多少家",
            "20000家",
            id="utf-8-bom-name-with-folders",
        ),
    ],
)
async def test_uploaded_report_is_saved_and_answers(
    fake_telegram, bot, store, seeds, tmp_path, sent_as, saved_as, data, question, figure
):
    calls = await until(fake_telegram, ADMIN, lambda: send_file(fake_telegram, data, sent_as), "已保存")
    said = texts(calls)
    assert (seeds / saved_as).read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cache",
        "facts.db",
        "facts.db-shm",
        "facts.db-wal",
        "seeds",
    ]
    new = store.facts(saved_as)
    assert re.search(r"(\d+) 条数据", said).group(1) == str(len(new)) == "2", said
    assert f"• {figure} " in said, said
    reply = await reply_to(fake_telegram, question)
    assert_html_reply(reply, f"<b>{figure}</b>", f"({saved_as}, 第1行)")
    assert audited(store)[-1] == ("upload", ADMIN, "ok")
    assert "<b>536列</b>" in await trains_answer(fake_telegram)  # the other reports still answer


async def test_same_named_upload_asks_first_cancel_keeps_overwrite_replaces(fake_telegram, bot, store, seeds):
    name, v1, v2 = "2024_market.txt", MARKET.encode(), MARKET.replace("20000", "21000").encode()
    await until(fake_telegram, ADMIN, lambda: send_file(fake_telegram, v1, name), "已保存")

    async def prompt() -> dict:
        [asked] = await until(fake_telegram, ADMIN, lambda: send_file(fake_telegram, v2, name), "覆盖")
        labels = [button["text"] for row in asked.result["reply_markup"]["inline_keyboard"] for button in row]
        assert labels == ["覆盖", "取消"] and name in asked.params["text"]
        assert all(len(data.encode()) <= 64 for data in callback_data(asked.result))
        assert (seeds / name).read_bytes() == v1  # nothing written before the answer
        return asked.result

    asked = await prompt()
    yes, no = callback_data(asked)
    fake_telegram.callback_query(asked, no, user_id=ADMIN)
    [cancelled] = await fake_telegram.wait_for("editMessageText", to(ADMIN))
    assert "取消" in cancelled.params["text"] and cancelled.params["message_id"] == asked["message_id"]
    assert (seeds / name).read_bytes() == v1
    assert "<b>20000家</b>" in (await reply_to(fake_telegram, "2024年江津新增市场主体多少家")).params["text"]

    asked = await prompt()
    yes, no = callback_data(asked)
    said = texts(
        await until(
            fake_telegram, ADMIN, lambda: fake_telegram.callback_query(asked, yes, user_id=ADMIN), "已保存"
        )
    )
    assert "21000家" in said
    assert (seeds / name).read_bytes() == v2
    reply = await reply_to(fake_telegram, "2024年江津新增市场主体多少家")
    assert_html_reply(reply, "<b>21000家</b>", f"({name}, 第1行)")
    answered = len(ok_calls(fake_telegram, "answerCallbackQuery"))
    fake_telegram.callback_query(asked, no, user_id=ADMIN)  # a stale button: nothing happens to the file
    [*_, stale] = await fake_telegram.wait_for("answerCallbackQuery", count=answered + 1)
    assert "过期" in stale.params["text"]
    assert (seeds / name).read_bytes() == v2
    assert [a for a in audited(store) if a[0] == "upload"] == [("upload", ADMIN, "ok")] * 2


LIMIT = {"factbot_max_upload_bytes": 2000}
BIG = (MARKET * 40).encode()  # about 3 KB
HUGE = MARKET.encode() * (6 * 1024 * 1024 // len(MARKET.encode()) + 1)  # just over 6 MB


@pytest.mark.parametrize(
    ("name", "data", "settings", "declare_size", "reason"),
    [
        P("scan.txt", PNG, {}, True, r"binary|二进制", id="png-bytes"),
        P("empty.txt", b"", {}, True, r"empty|空", id="empty"),
        P("blank.md", " \r\n\t\n\u3000".encode(), {}, True, r"empty|空|没有文字", id="whitespace-only"),
        P("big.txt", BIG, LIMIT, True, r"太大", id="over-the-limit"),
        P("big.txt", BIG, LIMIT, False, r"太大", id="over-the-limit-size-not-declared"),
        P("huge.txt", HUGE, {}, True, r"太大.*6\.0 MB.*5\.0 MB", id="over-the-default-5mb"),
        P(
            "report.pdf",
            b"%PDF-1.4\n" + MARKET.encode(),
            {},
            True,
            r"\.pdf.*\.txt|\.txt.*\.pdf",
            id="pdf-name",
        ),
        # issue 12: the reason, not the generic apology; the refusal names every suffix accepted
        P(
            "江" * 90 + ".txt",
            MARKET.encode(),
            {},
            True,
            r"文件名太长.*274 字节.*200",
            id="name-of-274-bytes",
        ),
        P("....txt", MARKET.encode(), {}, True, r"只有扩展名 \.txt", id="dots-and-a-suffix"),
        P(
            "report.docx",
            MARKET.encode(),
            {},
            True,
            r"(?=.*\.txt)(?=.*\.md)(?=.*\.text).*\.docx",
            id="suffixes-named",
        ),
    ],
)
async def test_refused_upload_says_why_and_saves_nothing(
    fake_telegram, store, seeds, name, data, settings, declare_size, reason
):
    files = folder(seeds)
    async with running_bot(fake_telegram, store, **settings) as app:
        [refused] = await until(
            fake_telegram,
            ADMIN,
            lambda: send_file(fake_telegram, data, name, declare_size=declare_size),
            "没有保存",
        )
        await settled(fake_telegram, app, ADMIN)  # the upload's handler has returned
        assert folder(seeds) == files
        assert "<b>536列</b>" in await trains_answer(fake_telegram)
    action, user, outcome = audited(store)[-1]
    assert (action, user) == ("upload", ADMIN) and outcome.startswith("refused"), audited(store)
    text = refused.params["text"]  # last, so the checks above run for every case
    assert re.search(reason, text), text
    assert "0.0 MB" not in text, f"a size the admin cannot use: {text}"


async def test_a_text_report_is_accepted_as_the_refusals_say(fake_telegram, bot, store, seeds):
    """Issue 12: `.text` is read by the build; the refusal named only .txt/.md. Now both agree."""
    said = await until(
        fake_telegram, ADMIN, lambda: send_file(fake_telegram, MARKET.encode(), "a.text"), "已保存"
    )
    assert "a.text" in texts(said) and (seeds / "a.text").exists()


@pytest.mark.parametrize("data", ["up:", "up:yes", "up:yes:", "up:maybe:abc", "up:yes:a:b"])
async def test_forged_upload_buttons_are_answered_and_change_nothing(fake_telegram, bot, store, seeds, data):
    """Issue 12: `up:` and `up:yes` raised ValueError and the press was never answered."""
    files = folder(seeds)
    question = await reply_to(fake_telegram, TRAINS)
    answered = len(ok_calls(fake_telegram, "answerCallbackQuery"))
    fake_telegram.callback_query(question.result, data, user_id=ADMIN)
    [*_, call] = await fake_telegram.wait_for("answerCallbackQuery", count=answered + 1)
    assert "失效" in call.params.get("text", ""), call.params
    await settled(fake_telegram, bot, ADMIN)
    assert folder(seeds) == files
    assert not [c for c in ok_calls(fake_telegram, "sendMessage", ADMIN) if "出了点问题" in c.params["text"]]


@pytest.mark.parametrize("command", ["/stats", "/facts 2022年江津班列开了多少列"])
async def test_an_admins_stats_and_facts_in_a_group_are_not_posted_there(fake_telegram, bot, store, command):
    """Issue 12: the admin's /stats and /facts went to the whole group; now a hint to ask privately."""
    group = -1009000000001
    before = len(ok_calls(fake_telegram, "sendMessage", group))
    fake_telegram.user_message(command, chat_id=group, user_id=ADMIN, chat_type="supergroup")
    [*_, reply] = await fake_telegram.wait_for("sendMessage", to(group), count=before + 1)
    await settled(fake_telegram, bot, group)
    sent = [c.params["text"] for c in ok_calls(fake_telegram, "sendMessage", group)[before:]]
    assert sent == [reply.params["text"]] and "私聊" in sent[0], sent
    assert "报告" not in sent[0] and "#" not in sent[0]
    assert audited(store)[-1][2] == "refused: not a private chat"


async def test_more_after_a_reload_does_not_page_through_the_old_facts(fake_telegram, bot, store, seeds):
    """Issue 12: 更多 on an answer from before a /reload still showed the old facts."""
    first = await reply_to(fake_telegram, "2020年江津协议引资")
    [more] = [d for d in callback_data(first.result) if d.startswith("more:")]
    edit(seeds / S002, "1月-6月,江津区引进", "1月-5月,江津区引进")
    assert "重新加载完成" in await reload(fake_telegram)
    answered = len(ok_calls(fake_telegram, "answerCallbackQuery"))
    fake_telegram.callback_query(first.result, more, user_id=ADMIN)
    [*_, call] = await fake_telegram.wait_for("answerCallbackQuery", count=answered + 1)
    assert "重新加载" in call.params.get("text", "") and "重新提问" in call.params["text"]
    assert not ok_calls(fake_telegram, "editMessageText", ADMIN)
    assert fake_telegram.messages[(ADMIN, first.result["message_id"])]["text"] == first.result["text"]


# ---- /stats and /facts -------------------------------------------------------------------------


async def test_stats_counts_questions_today_and_this_week_and_they_persist(fake_telegram, bot, store):
    today = store.today()
    with Session(store.engine) as session, session.begin():
        session.add(DailyCount(day=(today - timedelta(days=3)).isoformat(), answered=4, abstained=1))
        session.add(DailyCount(day=(today - timedelta(days=10)).isoformat(), answered=100, abstained=100))
    for question in (
        TRAINS,
        "2019年江津区GDP",
        "2015年江津区GDP",
        "2030年江津班列开了多少列",
        "今天天气怎么样",
    ):
        await reply_to(fake_telegram, question, 1001)
    await reload(fake_telegram)
    text = (await reply_to(fake_telegram, "/stats")).params["text"]
    info = store.store_info()
    assert f"报告 {info.documents} 份，数据 {info.facts} 条" in text, text
    assert "今天：回答 3，未找到 2" in text and "近 7 天：回答 7，未找到 3" in text, text
    assert re.search(r"上次重新加载：\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* reload（ok）", text), text
    restarted = FactService(make_engine(store.settings.database_url), store.settings)
    again = counters.stats(restarted.engine, restarted.store_info(), store.settings.factbot_timezone)
    assert {k: again[k] for k in ("answered_today", "abstained_today", "answered_7d", "abstained_7d")} == {
        "answered_today": 3,
        "abstained_today": 2,
        "answered_7d": 7,
        "abstained_7d": 3,
    }
    assert (again["last_reload"]["action"], again["last_reload"]["outcome"]) == ("reload", "ok")


async def test_refused_reloads_and_uploads_are_not_the_last_reload(fake_telegram, bot, store):
    await reload(fake_telegram)
    assert REFUSAL in (await reply_to(fake_telegram, "/reload", VISITOR)).params["text"]
    await until(fake_telegram, ADMIN, lambda: send_file(fake_telegram, PNG, "scan.txt"), "没有保存")
    text = (await reply_to(fake_telegram, "/stats")).params["text"]
    assert re.search(r"上次重新加载：\S+ reload（ok）", text), text


async def test_facts_shows_raw_matches_with_ids_scores_and_fields(fake_telegram, bot, store):
    fact = next(f for f in store.facts(S001) if f.figure == "536列")
    reply = await reply_to(fake_telegram, "/facts 2022年江津班列")
    assert_html_reply(reply, f"<code>#{fact.id} ")
    line = next(s for s in reply.result["text"].splitlines() if s.startswith(f"#{fact.id} "))
    assert re.fullmatch(
        rf"#{fact.id} \d\.\d{{3}} 536列 \| {re.escape(fact.indicator)} \| 2022年 \| .+ \| "
        rf"{fact.kind}/{fact.measure} \| {S001}:161",
        line,
    ), line
    assert "answered=True" in reply.result["text"]
    assert any(e["type"] == "code" for e in reply.result["entities"])
    odd = await reply_to(fake_telegram, "/facts <b>2022年</b>江津班列 & </i>")
    assert odd.ok and odd.params["parse_mode"] == "HTML"  # tags in the question do not break the reply
    assert (await reply_to(fake_telegram, "/facts")).params["text"].startswith("用法")
    assert [a for a in audited(store) if a[0] == "facts"] == [("facts", ADMIN, "ok")] * 2


# ---- the command line ----------------------------------------------------------------------------


def factbot(*args: str, store: FactService, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FACTBOT_", "DATABASE_"))}
    env |= {
        "DATABASE_URL": store.settings.database_url,
        "FACTBOT_SEEDS_DIR": str(store.settings.factbot_seeds_dir),
        "FACTBOT_CACHE_DIR": str(cwd / "cache"),
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [str(FACTBOT), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=60,
        check=True,
    )


async def test_factbot_audit_and_stats_show_what_the_bot_recorded(fake_telegram, bot, store, tmp_path):
    await reply_to(fake_telegram, "/reload", VISITOR)
    await reload(fake_telegram)
    await reply_to(fake_telegram, TRAINS, 1001)
    await reply_to(fake_telegram, "/stats")
    plain, as_json, stats = await asyncio.gather(
        *(
            asyncio.to_thread(factbot, *args, store=store, cwd=tmp_path)
            for args in (["audit"], ["audit", "--json"], ["stats", "--json"])
        )
    )
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [(r["action"], r["user_id"], r["outcome"]) for r in rows] == [
        ("stats", ADMIN, "ok"),
        ("reload", ADMIN, "ok"),
        ("reload", VISITOR, "refused"),
    ]
    assert rows[1]["username"] == "admin" and "5 documents" in rows[1]["detail"]
    lines = plain.stdout.splitlines()
    assert len(lines) == 3 and "reload" in lines[1] and "ok" in lines[1] and "refused" in lines[2], (
        plain.stdout
    )
    figures = json.loads(stats.stdout)
    info = store.store_info()
    assert (figures["documents"], figures["facts"], figures["answered_today"]) == (
        info.documents,
        info.facts,
        1,
    )
    assert (figures["last_reload"]["action"], figures["last_reload"]["outcome"]) == ("reload", "ok")
