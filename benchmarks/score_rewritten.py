"""Score the engine on the seeds rewritten for other districts, with the dev questions rewritten to match.

For each district, the five seeds are rewritten as `make_corpus.py` does (江津 → the district, 珞璜 →
another town, every figure with a unit scaled by one factor), and every dev question is rewritten the
same way: its place names in Chinese and in pinyin, and its expected figure, read back from the
rewritten quote at the position the original figure had. A store is built from the five rewritten
reports only, and the public scorer scores the rewritten questions. Questions whose rewritten quote is
not in the rewritten report (the rewrite saw a different context) are left out and counted.

Districts the dev questions name themselves (璧山, 永川 …) are skipped: their questions would change sense.

    python benchmarks/score_rewritten.py [--districts 14] [--shared ../shared]
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from pypinyin import Style, lazy_pinyin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_corpus import DISTRICTS, SEED_DISTRICT, SEED_TOWN, TOWNS, scale_figures

from facts.places import gazetteer

FACTBOT = Path(sys.executable).parent / "factbot"
NUMBER = re.compile(r"\d+(?:[.．]\d+)?")
SEED_LATIN = "Jiangjin"
FACTOR_RANGE = (0.5, 1.8)  # the same spread as make_corpus.py
RANDOM_SEED = 11  # fixed: the same districts, towns and factors every run
SEED_CITY = "重庆市"  # the seeds' districts are rewritten into districts and counties of the same city
# A county's report says 全县 where a district's says 全区: these words follow the district's level.
LEVEL_WORDS = ("全区", "本区", "我区", "区委", "区政府", "区人民政府", "区级")


def full_name(district: str) -> str:
    """The district's name as its own reports write it: 永川区, 巫溪县, 石柱县 (for 石柱土家族自治县)."""
    for place in gazetteer().by_short.get(district, []) + gazetteer().named(district):
        if place.level == "county" and SEED_CITY in place.parents:
            suffix = "区" if place.name.endswith("区") else "县"
            return district if district.endswith(suffix) else district + suffix
    raise ValueError(f"{district} is no district or county of {SEED_CITY}")


def rewrite_report(text: str, *, district: str, town: str, factor: float) -> str:
    """A seed report as the district would write it: figures scaled, then its names and level words."""
    return rewrite_text(scale_figures(text, factor), district=district, town=town)


def latin(district: str) -> str:
    return "".join(lazy_pinyin(district, style=Style.NORMAL)).capitalize()


def rewrite_question(
    item: dict, docs: dict[str, str], *, district: str, town: str, factor: float
) -> dict | None:
    """The question for the rewritten reports, or None when its figure cannot be followed."""
    new = {**item, "q": rewrite_text(item["q"], district=district, town=town)}
    if not item.get("answerable"):
        return new
    quote = item["quote"]
    numbers = [m.group() for m in NUMBER.finditer(quote)]
    position = next(
        (i for i, n in enumerate(numbers) if float(n.replace("．", ".")) == float(item["value"])), None
    )
    rewritten = rewrite_report(quote, district=district, town=town, factor=factor)
    if position is None or _squash(rewritten) not in _squash(docs[item["doc"]]):
        return None
    value = NUMBER.findall(rewritten)[position].replace("．", ".")
    new.update(value=float(value), quote=rewritten, alt=[])
    return new


def rewrite_text(text: str, *, district: str, town: str) -> str:
    """The seed's town and district renamed (in Chinese and pinyin), with the district's level words."""
    text = text.replace(SEED_TOWN, town).replace(SEED_LATIN, latin(district))
    full = full_name(district)
    if full.endswith("县"):
        for word in LEVEL_WORDS:
            text = text.replace(word, word.replace("区", "县"))
    return text.replace(SEED_DISTRICT + "区", full).replace(SEED_DISTRICT, district)


def _in_city(district: str) -> bool:
    try:
        return bool(full_name(district))
    except ValueError:
        return False


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def score_district(
    items: list[dict], seeds: Path, scorer: Path, *, district: str, town: str, factor: float
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        docs_dir = Path(tmp) / "docs"
        docs_dir.mkdir()
        docs = {}
        for path in sorted(seeds.glob("*.txt")):
            text = rewrite_report(
                path.read_bytes().decode("utf-8"), district=district, town=town, factor=factor
            )
            (docs_dir / path.name).write_bytes(text.encode("utf-8"))
            docs[path.name] = text
        questions = [rewrite_question(i, docs, district=district, town=town, factor=factor) for i in items]
        kept = [q for q in questions if q is not None]
        qfile = Path(tmp) / "q.jsonl"
        qfile.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in kept), encoding="utf-8")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/f.db", "FACTBOT_CACHE_DIR": f"{tmp}/cache"}
        subprocess.run(
            [str(FACTBOT), "build", "--seeds", str(docs_dir)], env=env, check=True, capture_output=True
        )
        out = subprocess.run(
            [
                *(sys.executable, str(scorer), "--questions", str(qfile), "--seeds", str(docs_dir), "--json"),
                *("--", str(FACTBOT), "ask", "--json", "-"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        return {
            "district": district,
            "factor": factor,
            "left_out": len(questions) - len(kept),
            **{k: summary[k] for k in ("questions", "top1", "top3", "abstain")},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--districts", type=int, default=14)
    args = parser.parse_args()
    dev = args.shared / "eval" / "dev.jsonl"
    items = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    asked = " ".join(i["q"] for i in items)
    rng = random.Random(RANDOM_SEED)
    districts = [d for d in DISTRICTS if d not in asked and latin(d) not in asked and _in_city(d)]
    rng.shuffle(districts)
    towns = [t for t in TOWNS if t not in asked]
    rows = []
    for i, district in enumerate(districts[: args.districts]):
        factor = round(rng.uniform(*FACTOR_RANGE), 3)
        rows.append(
            score_district(
                items,
                args.seeds,
                args.shared / "eval" / "score.py",
                district=district,
                town=towns[i],
                factor=factor,
            )
        )
    answerable = [r for r in rows if r["top1"] is not None]
    mean = {k: round(sum(r[k] for r in answerable) / len(answerable), 4) for k in ("top1", "top3", "abstain")}
    print(
        json.dumps(
            {"mean": mean, "min_top1": min(r["top1"] for r in rows), "districts": rows}, ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
