"""`factbot`: build the store, ask questions, list facts, run the bot (or a console chat)."""

import argparse
import csv
import json
import logging
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.logs import setup_logging
from bot.state import counters
from bot.state.audit import audit_log, log_action
from bot.state.audit import entry as audit_entry
from bot.state.settings import Settings
from bot.state.subscriptions import subscription_rows
from facts.errors import FactbotError
from facts.store.db import make_engine, upgrade_schema

FACT_FIELDS = (
    "id",
    "doc",
    "line",
    "value",
    "value_max",
    "unit",
    "qualifier",
    "figure",
    "kind",
    "measure",
    "period_label",
    "subject_name",
    "indicator",
    "quote",
)


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0911  # one return per command and per way out
    parser = argparse.ArgumentParser(prog="factbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the store from a folder of reports")
    build.add_argument("--seeds", type=Path, help="folder of reports (default FACTBOT_SEEDS_DIR or ./seeds)")
    ask = commands.add_parser("ask", help="answer a question ('-' reads one question per line from stdin)")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    ask.add_argument("question", nargs="+")
    facts = commands.add_parser("facts", help="list or export the stored facts")
    facts.add_argument("--doc", help="only the facts of this document (file name)")
    facts.add_argument("--format", choices=("csv", "json"), default="csv")
    run = commands.add_parser("run", help="run the Telegram bot, or a console chat when no token is set")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates on WEBHOOK_PORT instead of long polling (needs WEBHOOK_URL, WEBHOOK_SECRET)",
    )
    stats = commands.add_parser(
        "stats", help="documents, facts, questions answered and abstained, last reload"
    )
    stats.add_argument("--json", action="store_true")
    listing = commands.add_parser("subscriptions", help="the digest subscriptions, with their next run")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    audit = commands.add_parser("audit", help="the admin actions, newest first")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    settings = Settings()
    try:
        if args.command in ("subscriptions", "audit"):  # the bot's state only: no fact service, no Telegram
            engine = make_engine(settings.database_url)
            upgrade_schema(engine)
            if args.command == "audit":
                return cmd_audit(engine, args.limit, args.json)
            return cmd_subscriptions(engine, args.json)
        # the engine (jieba, the gazetteer, the index) loads only for the commands that answer from it
        from facts.store.service import FactService  # noqa: PLC0415

        service = FactService.from_settings(settings)
        if args.command == "build":
            return cmd_build(service, args.seeds)
        if args.command == "ask":
            return cmd_ask(service, args.question, args.json)
        if args.command == "facts":
            return cmd_facts(service, args.doc, args.format)
        if args.command == "stats":
            return cmd_stats(service, args.json)
        return cmd_run(service, settings, args.webhook)
    except FactbotError as err:
        print(f"factbot: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `factbot facts | head`: the reader has what it wanted
        sys.stderr.close()
        return 0


def cmd_build(service, folder: Path | None) -> int:
    def audited(session, report, _facts) -> None:  # with the facts, in their transaction
        session.add(
            audit_entry("build", username="cli", detail=f"{report.documents} documents, {report.facts} facts")
        )

    try:
        report = service.build(folder, before_commit=audited)
    except FactbotError as err:
        log_action(
            service.engine, "build", username="cli", detail=str(folder or ""), outcome=f"failed: {err}"
        )
        raise
    print(f"documents: {report.documents}")
    print(f"facts: {report.facts}")
    for name, reason in report.skipped:
        print(f"skipped: {name}: {reason}")
    return 0


def _ensure_store(service) -> None:
    built = service.ensure_built()
    if built:
        print(
            f"factbot: built the store first ({built.documents} documents, {built.facts} facts)",
            file=sys.stderr,
        )


def cmd_ask(service, words: list[str], as_json: bool) -> int:
    from bot.render import render_text  # noqa: PLC0415  # imports the engine: only `ask` needs it

    _ensure_store(service)
    questions = sys.stdin if words == ["-"] else [" ".join(words)]
    for line in questions:
        question = line.rstrip("\n")
        try:
            answer = service.answer(question)
            text = render_text(answer)
            payload = answer.to_json(text)
        except Exception as err:
            text = "抱歉，处理这个问题时出错了。"
            payload = {
                "question": question,
                "answered": False,
                "text": text,
                "facts": [],
                "error": type(err).__name__,
            }
        print(
            json.dumps(payload, ensure_ascii=False) if as_json else text + ("\n" if words == ["-"] else ""),
            flush=True,
        )
    return 0


def cmd_facts(service, doc: str | None, fmt: str) -> int:
    _ensure_store(service)
    rows = service.facts(doc)
    if doc and not rows:
        names = ", ".join(d.name for d in service.documents())
        print(f"factbot: no document named {doc!r} in the store (documents: {names})", file=sys.stderr)
        return 1
    if fmt == "json":
        for row in rows:
            print(json.dumps({k: getattr(row, k) for k in FACT_FIELDS}, ensure_ascii=False))
        return 0
    writer = csv.writer(sys.stdout)
    writer.writerow(FACT_FIELDS)
    for row in rows:
        writer.writerow([getattr(row, k) for k in FACT_FIELDS])
    return 0


def cmd_stats(service, as_json: bool) -> int:
    stats = counters.stats(service.engine, service.store_info(), service.settings.factbot_timezone)
    if as_json:
        print(json.dumps(stats, ensure_ascii=False))
        return 0
    for key, value in stats.items():
        print(f"{key}: {value}")
    return 0


def cmd_subscriptions(engine: Engine, as_json: bool) -> int:
    for row in subscription_rows(engine):
        if as_json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            state = "active" if row["active"] else f"inactive ({row['note']})"
            print(
                f"{row['chat_id']}:{row['thread_id']}  {row['schedule']}  {row['timezone']}  "
                f"{','.join(row['topics']) or '-'}  {state}  next {row['next_run'] or '-'}"
            )
    return 0


def cmd_audit(engine: Engine, limit: int, as_json: bool) -> int:
    for entry in audit_log(engine, limit):
        row = {
            "at": entry.at.isoformat(timespec="seconds"),
            "user_id": entry.user_id,
            "username": entry.username,
            "action": entry.action,
            "detail": entry.detail,
            "outcome": entry.outcome,
        }
        if as_json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(
                f"{row['at']}  {entry.username or entry.user_id or '-'}  {entry.action}  {entry.outcome}  {entry.detail}"
            )
    return 0


def cmd_run(service, settings: Settings, webhook: bool = False) -> int:
    if settings.telegram_bot_token is not None and settings.telegram_bot_token.get_secret_value():
        from bot.app import run_polling, run_webhook, webhook_problem  # noqa: PLC0415  # PTB: only `run` loads it

        if webhook and (problem := webhook_problem(settings)):
            print(f"factbot: {problem}", file=sys.stderr)
            return 2
        setup_logging(settings)
        try:
            return run_webhook(settings, service) if webhook else run_polling(settings, service)
        except FactbotError:
            raise
        except Exception:  # logged, not printed by Python: the log handler redacts the token from tracebacks
            logging.getLogger("bot").exception("factbot run stopped")
            return 1
    if webhook:
        print("factbot: --webhook needs TELEGRAM_BOT_TOKEN", file=sys.stderr)
        return 2
    from bot.console import run_console  # noqa: PLC0415  # imports the engine, like render_text

    _ensure_store(service)
    return run_console(service)


if __name__ == "__main__":
    sys.exit(main())
