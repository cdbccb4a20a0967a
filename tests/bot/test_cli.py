"""The real `factbot` console script, run as a subprocess against SQLite stores in tmp folders."""

import codecs
import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

P = pytest.param
REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
FACTBOT = Path(sys.executable).parent / "factbot"
S000, S001, S002, S003, S004 = (
    "000_53f751021545a504.txt",
    "001_fcfb30629f7c2435.txt",
    "002_ba9281ac6892e17c.txt",
    "003_a3a47e7fd0985b29.txt",
    "004_6441c16fbf911a20.txt",
)
BROKEN = {
    "empty.txt": (b"", "empty file (no text)"),
    "scan.txt": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(7).randbytes(600),
        "binary file, not text",
    ),
    "latin.txt": (
        "Rapport économique - café crème".encode("latin-1") + b"\x80\xff" * 20,
        "not UTF-8 or GB18030 text",
    ),
}


def factbot(
    *args: str, db: Path, seeds: Path = SEEDS, stdin: str | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FACTBOT_", "DATABASE_"))}
    env |= {"DATABASE_URL": f"sqlite:///{db}", "FACTBOT_SEEDS_DIR": str(seeds), "PYTHONIOENCODING": "utf-8"}
    cwd = next(p for p in db.parents if p.is_dir())
    return subprocess.run(
        [str(FACTBOT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def write_broken(folder: Path) -> None:
    for name, (data, _) in BROKEN.items():
        (folder / name).write_bytes(data)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store built from two plain seeds, a GB18030 copy, a UTF-8-with-BOM copy and three broken files."""
    folder = tmp_path_factory.mktemp("reports")
    shutil.copy(SEEDS / S000, folder / S000)
    shutil.copy(SEEDS / S002, folder / S002)
    (folder / S003).write_bytes((SEEDS / S003).read_text(encoding="utf-8").encode("gb18030"))
    (folder / S004).write_bytes(codecs.BOM_UTF8 + (SEEDS / S004).read_bytes())
    write_broken(folder)
    db = tmp_path_factory.mktemp("db") / "facts.db"
    built = factbot("build", "--seeds", str(folder), db=db)
    return db, built


@pytest.fixture(scope="module")
def exported(store) -> list[dict]:
    """Every stored fact, as `factbot facts --format json` prints them."""
    db, _ = store
    out = factbot("facts", "--format", "json", db=db)
    assert out.returncode == 0, out.stderr
    return json_lines(out.stdout)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_build_reports_counts_and_skipped_files(store):
    _, built = store
    assert built.returncode == 0, built.stderr
    lines = built.stdout.splitlines()
    assert "documents: 4" in lines
    facts = next(int(line.split(": ")[1]) for line in lines if line.startswith("facts: "))
    assert facts > 100
    skipped = sorted(line for line in lines if line.startswith("skipped: "))
    assert skipped == sorted(f"skipped: {name}: {reason}" for name, (_, reason) in BROKEN.items())
    assert "Traceback" not in built.stderr


def test_export_lists_every_built_fact(store, exported):
    db, built = store
    facts = int(re.search(r"^facts: (\d+)$", built.stdout, re.MULTILINE).group(1))
    as_json = exported
    as_csv = list(csv.DictReader(io.StringIO(factbot("facts", "--format", "csv", db=db).stdout)))
    assert len(as_json) == len(as_csv) == facts
    assert {row["doc"] for row in as_json} == {row["doc"] for row in as_csv} == {S000, S002, S003, S004}
    assert [row["id"] for row in as_json] == [int(row["id"]) for row in as_csv]
    for row in as_json:
        assert {"id", "doc", "line", "value", "unit", "figure", "kind", "quote"} <= row.keys()


@pytest.mark.parametrize(
    ("doc", "figure", "line", "value", "unit"),
    [
        P(S003, "1036.7亿元", 21, 1036.7, "亿元", id="gb18030-copy-keeps-lines"),
        P(S003, "1125家", 25, 1125, "家", id="gb18030-copy-second-figure"),
        P(S004, "18469家", 33, 18469, "家", id="bom-copy-keeps-lines"),
        P(S004, "67%—79%", 27, 67, "%", id="bom-copy-range"),
        P(S000, "21列", 98, 21, "列", id="utf-8-copy"),
    ],
)
def test_every_encoding_builds_the_same_facts(exported, doc, figure, line, value, unit):
    found = [row for row in exported if row["doc"] == doc and row["figure"] == figure and row["line"] == line]
    assert len(found) == 1
    assert (found[0]["value"], found[0]["unit"]) == (value, unit)
    original = re.sub(r"\s", "", (SEEDS / doc).read_text(encoding="utf-8"))
    assert re.sub(r"\s", "", found[0]["quote"]) in original


def test_facts_of_one_document(store, exported):
    db, _ = store
    as_json = json_lines(factbot("facts", "--doc", S003, "--format", "json", db=db).stdout)
    assert as_json == [row for row in exported if row["doc"] == S003]
    as_csv = list(
        csv.DictReader(io.StringIO(factbot("facts", "--doc", S002, "--format", "csv", db=db).stdout))
    )
    assert [int(row["id"]) for row in as_csv] == [row["id"] for row in exported if row["doc"] == S002]
    assert any(row["figure"] == "1277列" and row["line"] == "83" for row in as_csv)


ASK = [
    ("江津区2019年经济总量是多少？", True, 1036.7, S003),
    ("", False, None, None),
    ("截至2019年底江津班列累计开行多少列", True, 21, S000),
    ("😀🎉🚄👨‍👩‍👧", False, None, None),
    ("2023年1-6月江津实到资金", True, 127, S002),
    ("<b>&amp;</b><script>alert(1)</script>", False, None, None),
    ("2018年江津班列开行多少列", False, None, None),
    ("２０２０年江津新增市场主体多少家", True, 18469, S004),
]


def test_ask_reads_stdin_and_answers_each_line_in_order(store):
    db, _ = store
    out = factbot("ask", "--json", "-", db=db, stdin="".join(q + "\n" for q, *_ in ASK))
    assert out.returncode == 0, out.stderr
    replies = json_lines(out.stdout)
    assert [r["question"] for r in replies] == [q for q, *_ in ASK]
    for reply, (question, answered, value, doc) in zip(replies, ASK, strict=False):
        assert {"question", "answered", "text", "facts"} <= reply.keys()
        assert reply["answered"] is answered, question
        assert reply["text"]
        if answered:
            assert (reply["facts"][0]["value"], reply["facts"][0]["doc"]) == (value, doc), question
        else:
            assert reply["facts"] == []


def test_ask_one_question_as_text(store):
    db, _ = store
    out = factbot("ask", "２０１９年江津区ＧＤＰ", db=db)
    assert out.returncode == 0
    assert "1036.7亿元" in out.stdout and S003 in out.stdout


def test_ask_on_an_empty_store_builds_from_the_seeds_folder_first(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEEDS / S001, seeds / S001)
    db = tmp_path / "new" / "facts.db"
    out = factbot("ask", "--json", "江津班列2022年跑了多少趟", db=db, seeds=seeds)
    assert out.returncode == 0, out.stderr
    assert "built the store first (1 documents" in out.stderr
    reply = json.loads(out.stdout)
    assert reply["answered"] is True
    assert (reply["facts"][0]["value"], reply["facts"][0]["unit"], reply["facts"][0]["doc"]) == (
        536,
        "列",
        S001,
    )


@pytest.mark.slow
def test_failed_build_is_polite_and_leaves_the_old_store_answering(store, tmp_path):
    source, _ = store
    db = tmp_path / "facts.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{db}{suffix}")
    questions = "".join(q + "\n" for q, *_ in ASK)
    before = factbot("ask", "--json", "-", db=db, stdin=questions).stdout
    facts_before = factbot("facts", "--format", "json", db=db).stdout
    broken = tmp_path / "broken"
    broken.mkdir()
    write_broken(broken)

    failed = factbot("build", "--seeds", str(broken), db=db)

    assert failed.returncode == 1
    assert failed.stderr.startswith("factbot: ") and "Traceback" not in failed.stderr
    assert "no readable reports" in failed.stderr
    assert factbot("ask", "--json", "-", db=db, stdin=questions).stdout == before
    assert factbot("facts", "--format", "json", db=db).stdout == facts_before


def test_every_subcommand_is_documented_in_the_readme(tmp_path):
    usage = factbot("--help", db=tmp_path / "unused.db").stdout
    commands = re.search(r"\{([a-z,]+)\}", usage).group(1).split(",")
    assert commands
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    for command in commands:
        assert f"factbot {command}" in section, command
