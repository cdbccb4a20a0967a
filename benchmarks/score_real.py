"""Score the engine on the public real-report set, whole and in its two halves (prints JSON).

The halves are split by document, not by question: a document's questions are all in one half, so
rules learned from one half cannot have seen the other half's reports. The half a document falls in is
the parity of the SHA-1 of its file name (questions with no document: of their id) — fixed, and blind to
content. Half 0 is the one studied while developing, half 1 is only scored.

    python benchmarks/score_real.py [--shared ../shared]
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTBOT = Path(sys.executable).parent / "factbot"


def half(item: dict) -> int:
    key = (item.get("docs") or [item.get("doc")])[0] or item["id"]
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % 2


def score(scorer: Path, questions: Path, docs: Path, env: dict) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            str(scorer),
            "--questions",
            str(questions),
            "--seeds",
            str(docs),
            "--json",
            "--",
            str(FACTBOT),
            "ask",
            "--json",
            "-",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    real = args.shared / "eval" / "real"
    items = [
        json.loads(line)
        for line in (real / "questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/f.db", "FACTBOT_CACHE_DIR": f"{tmp}/cache"}
        subprocess.run(
            [str(FACTBOT), "build", "--seeds", str(real / "docs")], env=env, check=True, capture_output=True
        )
        results = {}
        for name, chosen in (
            ("all", items),
            ("studied", [i for i in items if half(i) == 0]),
            ("scored_only", [i for i in items if half(i) == 1]),
        ):
            path = Path(tmp) / f"{name}.jsonl"
            path.write_text(
                "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in chosen), encoding="utf-8"
            )
            summary = score(args.shared / "eval" / "score.py", path, real / "docs", env)
            results[name] = {k: summary[k] for k in ("questions", "top1", "top3", "abstain")}
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
