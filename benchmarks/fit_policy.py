"""Fit the answer policy's weights on labelled questions, and score them on questions the fit never saw.

Labelled pairs: the seeds' dev set and the studied half of the public real set (split by document, as in
benchmarks/score_real.py). Held out: the other half of the real set — scored before and after, never used
to choose. The search is coordinate-wise: each weight in turn is multiplied by a few factors, and a change
is kept only when it answers strictly more training questions right (top-1 when answerable, abstention
when not); a tie keeps the hand-set value. Prints JSON: before/after on both, and the changed weights.

    python benchmarks/fit_policy.py [--shared ../shared] [--rounds 2]
"""

import argparse
import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from score_real import half  # the same split by document as the scoring benchmark

from facts.answering.answer import fact_json
from facts.answering.policy import POLICY, AnswerPolicy
from facts.store.service import FactService
from facts.store.settings import FactSettings

FACTORS = (0.6, 0.8, 0.9, 1.1, 1.25, 1.5)  # relative steps: coarse enough to move, fine enough to settle
SHARE_LIKE = {  # weights that are shares or thresholds of 0..1 stay inside it
    name for name in AnswerPolicy.weights() if getattr(POLICY, name) <= 1.0
}


def load_scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Bench:
    """One store built from a folder of reports, and the labelled questions asked of it."""

    def __init__(self, docs: Path, items: list[dict], scorer, workdir: Path):
        os.environ["FACTBOT_CACHE_DIR"] = str(workdir / "cache")
        settings = FactSettings(database_url=f"sqlite:///{workdir / 'f.db'}", factbot_seeds_dir=docs)
        self.service = FactService.from_settings(settings)
        self.service.build(docs)
        self.items = items
        self.scorer = scorer
        self.texts = {p.name: scorer.WS.sub("", p.read_text(encoding="utf-8")) for p in docs.glob("*.txt")}

    def right(self, policy: AnswerPolicy, items: list[dict] | None = None) -> int:
        self.service.policy = policy
        total = 0
        for item in items if items is not None else self.items:
            answer = self.service.answer(item["q"])
            facts = [fact_json(s, {}) for s in answer.results]
            if item["answerable"]:
                total += bool(
                    answer.answered and facts and self.scorer.fact_matches(facts[0], item, self.texts)
                )
            else:
                total += not answer.answered
        return total


def fit(benches: list[Bench], rounds: int) -> tuple[AnswerPolicy, list[dict]]:
    policy = POLICY
    best = sum(b.right(policy) for b in benches)
    steps = []
    for _ in range(rounds):
        moved = False
        for name in AnswerPolicy.weights():
            here = getattr(policy, name)
            for factor in FACTORS:
                value = round(here * factor, 4)
                if name in SHARE_LIKE and value > 1.0:
                    continue
                trial = replace(policy, **{name: value})
                right = sum(b.right(trial) for b in benches)
                if right > best:
                    best, policy, moved = right, trial, True
                    steps.append({"weight": name, "from": here, "to": value, "right": right})
                    here = value
        if not moved:
            break
    return policy, steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    scorer = load_scorer(args.shared)
    real = args.shared / "eval" / "real"
    items = scorer.load_jsonl(real / "questions.jsonl")
    studied = [i for i in items if half(i) == 0]
    held_out = [i for i in items if half(i) == 1]
    dev = scorer.load_jsonl(args.shared / "eval" / "dev.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "seeds").mkdir()
        (Path(tmp) / "real").mkdir()
        seeds = Bench(ROOT / "seeds", dev, scorer, Path(tmp) / "seeds")
        real_bench = Bench(real / "docs", studied, scorer, Path(tmp) / "real")
        before = {
            "dev": seeds.right(POLICY),
            "studied": real_bench.right(POLICY),
            "held_out": real_bench.right(POLICY, held_out),
        }
        policy, steps = fit([seeds, real_bench], args.rounds)
        after = {
            "dev": seeds.right(policy),
            "studied": real_bench.right(policy),
            "held_out": real_bench.right(policy, held_out),
        }
    sizes = {"dev": len(dev), "studied": len(studied), "held_out": len(held_out)}
    print(json.dumps({"questions": sizes, "right_before": before, "right_after": after, "steps": steps}))


if __name__ == "__main__":
    main()
