"""The same reports give the same facts in every process: no set's iteration order may decide a fact.

Python salts string hashes per process (PYTHONHASHSEED), so a rule that picks "the first" of a set of
names can pick differently on every build. Two processes with different salts must agree.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# A report of our own whose names overlap (沙坪坝 holds 坪坝), read with the seeds.
OVERLAPPING = (
    "沙坪坝区2023年对外开放情况\n\n2023年，沙坪坝综保区新增企业35家。沙坪坝综保区新引进项目12个，沙坪坝班列开行320列。\n"
    "沙坪坝综保区实现进出口额182.7亿元，同比增长8.1%。\n"
)

SCRIPT = """
import json, sys
from pathlib import Path
from facts.lexicon import load_lexicon
from facts.reading.extract import extract_facts
from facts.reading.repair import repair
from facts.text import Tokenizer
lexicon = load_lexicon()
texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
texts.append(("own.txt", sys.argv[2]))
out = []
for name, text in texts:
    for f in extract_facts(name, repair(text), lexicon, Tokenizer(lexicon)):
        out.append([name, f.line, f.value, f.unit, f.indicator, f.subject.name if f.subject else None,
                    f.period.label if f.period else None, f.kind, f.measure, sorted(f.terms)])
print(json.dumps(out, ensure_ascii=False))
"""


def _facts_with_salt(salt: str) -> list:
    env = {**os.environ, "PYTHONHASHSEED": salt}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT / "seeds"), OVERLAPPING],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.slow
def test_facts_do_not_depend_on_the_hash_salt():
    first, *others = [_facts_with_salt(salt) for salt in ("1", "2", "3")]
    assert len(first) > 0
    assert all(other == first for other in others)
