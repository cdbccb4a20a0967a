"""Reloads and uploads when the database fails in the middle (the real Application polling the fake Bot
API, a real SQLite store): a trigger makes the database refuse one write of the reload — the change log
or the audit row — the way a lost connection or a kill after the facts' commit would leave it half done.

A reload is one transaction (facts, change log, audit row: all or none); an upload is built from a
staging file and moved into the seeds folder only once the store switched, so a failed one leaves the
folder as it was (the replaced file too) and the next /reload does not publish it; every outcome is in
the audit log."""

import pytest
from fake_telegram import FakeTelegram
from sqlalchemy import text
from test_admin import (
    ADMIN,
    MARKET,
    S001,
    VISITORS,
    audited,
    bot,  # noqa: F401 (fixtures)
    folder,
    reload,
    reply_to,
    running_bot,
    seeds,  # noqa: F401
    send_file,
    store,  # noqa: F401
    texts,
    until,
)
from test_bot import callback_data

from facts.store.changes import changes_since

pytestmark = pytest.mark.asyncio
P = pytest.param
MARKET_QUESTION = "2024年江津新增市场主体多少家"
REFUSING = {
    "change-log": "CREATE TRIGGER refuse BEFORE INSERT ON factchange BEGIN SELECT RAISE(ABORT, 'disk I/O'); END",
    "audit-row": "CREATE TRIGGER refuse BEFORE INSERT ON auditentry WHEN NEW.outcome = 'ok' "
    "BEGIN SELECT RAISE(ABORT, 'disk I/O'); END",
}


def refuse(service, table: str) -> None:
    with service.engine.begin() as connection:
        connection.execute(text(REFUSING[table]))


def accept(service) -> None:
    with service.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER refuse"))


@pytest.mark.parametrize("table", [P("change-log"), P("audit-row")])
async def test_a_reload_that_cannot_write_its_bookkeeping_changes_nothing(
    fake_telegram: FakeTelegram,
    bot,  # noqa: F811
    store,  # noqa: F811
    seeds,  # noqa: F811
    table,
):
    version = store.store_info().version
    (seeds / "2024_market.txt").write_text(MARKET, encoding="utf-8")
    refuse(store, table)
    said = await reload(fake_telegram)
    assert "重新加载失败" in said and "仍在使用之前的数据" in said, said
    assert store.store_info().version == version, "the facts committed without their change log or audit row"
    assert "2024_market.txt" not in {d.name for d in store.documents()}
    assert changes_since(store.engine, version) == []
    action, user, outcome = audited(store)[-1]
    assert (action, user) == ("reload", ADMIN) and outcome.startswith("failed"), audited(store)

    accept(store)
    said = await reload(fake_telegram)
    assert "新增报告" in said and "2024_market.txt" in said, said
    assert store.store_info().version == version + 1
    assert any("市场主体" in c.text for c in changes_since(store.engine, version))  # the next digest lists it
    assert audited(store)[-1] == ("reload", ADMIN, "ok")


async def test_a_new_upload_the_database_refuses_is_not_left_in_the_seeds_folder(
    fake_telegram: FakeTelegram,
    bot,  # noqa: F811
    store,  # noqa: F811
    seeds,  # noqa: F811
):
    before, version = folder(seeds), store.store_info().version
    refuse(store, "change-log")
    said = texts(
        await until(fake_telegram, ADMIN, lambda: send_file(fake_telegram, MARKET.encode(), "m.txt"), "撤回")
    )
    assert "m.txt" in said and "仍在使用之前的数据" in said, said
    assert folder(seeds) == before, "the failed upload (or its staging file) stayed in the seeds folder"
    action, user, outcome = audited(store)[-1]
    assert (action, user) == ("upload", ADMIN) and outcome.startswith("failed"), audited(store)
    assert store.store_info().version == version

    accept(store)
    said = await reload(fake_telegram)  # the next reload does not publish what failed
    assert "m.txt" not in said and "m.txt" not in {d.name for d in store.documents()}, said


async def test_overwriting_a_report_keeps_the_old_file_until_the_store_switched(
    fake_telegram: FakeTelegram,
    bot,  # noqa: F811
    store,  # noqa: F811
    seeds,  # noqa: F811
):
    old = (seeds / S001).read_bytes()
    new = MARKET.encode()
    [asked] = await until(fake_telegram, ADMIN, lambda: send_file(fake_telegram, new, S001), "覆盖")
    yes, _ = callback_data(asked.result)
    refuse(store, "audit-row")
    said = texts(
        await until(
            fake_telegram,
            ADMIN,
            lambda: fake_telegram.callback_query(asked.result, yes, user_id=ADMIN),
            "撤回",
        )
    )
    assert S001 in said, said
    assert (seeds / S001).read_bytes() == old, "the replaced report is gone though the store never switched"
    assert [p.name for p in seeds.iterdir() if p.name.startswith(".")] == []
    action, user, outcome = audited(store)[-1]
    assert (action, user) == ("upload", ADMIN) and outcome.startswith("failed"), audited(store)
    reply = await reply_to(fake_telegram, MARKET_QUESTION)
    assert "20000家" not in reply.params["text"]  # still the old report's facts

    accept(store)
    said = texts(await until(fake_telegram, ADMIN, lambda: send_file(fake_telegram, new, "m2.txt"), "已保存"))
    assert (seeds / "m2.txt").read_bytes() == new
    assert audited(store)[-1] == ("upload", ADMIN, "ok")
    assert "<b>20000家</b>" in (await reply_to(fake_telegram, MARKET_QUESTION)).params["text"]


async def test_staging_files_of_a_killed_upload_are_settled_on_start_up(
    fake_telegram: FakeTelegram,
    store,  # noqa: F811
    seeds,  # noqa: F811
):
    """Killed after the store switched: the staged report is moved in. Killed before: it is dropped."""
    built, unbuilt = seeds / ".upload-0a1b2c3d-m.txt", seeds / ".upload-4e5f6a7b-v.txt"
    built.write_text(MARKET, encoding="utf-8")
    unbuilt.write_text(VISITORS, encoding="utf-8")
    store.build(staged={"m.txt": built})  # the commit happened; the move into the folder did not
    async with running_bot(fake_telegram, store):
        assert (seeds / "m.txt").read_text(encoding="utf-8") == MARKET
        assert not built.exists() and not unbuilt.exists() and not (seeds / "v.txt").exists()
        said = await reload(fake_telegram)
        assert "m.txt" not in said.split("移除报告")[-1], said  # the next reload keeps the report
    assert "m.txt" in {d.name for d in store.documents()}
