"""A report too long to read in reasonable time is skipped by name with the reason; the rest build."""

from facts.lexicon import load_lexicon
from facts.store import build
from facts.store.db import make_engine, upgrade_schema
from facts.text import Tokenizer


def test_an_oversized_report_is_skipped_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "MAX_REPORT_CHARS", 200)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "small.txt").write_text("2023年全县地区生产总值300.5亿元。\n", encoding="utf-8")
    (seeds / "huge.txt").write_text("2023年全县地区生产总值300.5亿元。\n" * 20, encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    upgrade_schema(engine)
    lexicon = load_lexicon()
    report = build.build_store(engine, seeds, lexicon, Tokenizer(lexicon))
    assert report.documents == 1
    [(name, reason)] = report.skipped
    assert name == "huge.txt" and "too long" in reason and "200" in reason
