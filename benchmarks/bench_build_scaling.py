"""Extraction time against report size: a seed report repeated to 2 000 … 16 000 lines (prints JSON).

Linear means the time per 1 000 lines stays flat as the report grows; the issue measured 1.1 s, 11.5 s
and 53.6 s for 1 000, 5 000 and 10 000 lines before mentions and markers were looked up by bisection.
"""

import json
import time
from pathlib import Path

from facts.lexicon import load_lexicon
from facts.reading.extract import extract_facts
from facts.reading.repair import repair
from facts.text import Tokenizer

SEED = Path(__file__).resolve().parent.parent / "seeds" / "004_6441c16fbf911a20.txt"
SIZES = (2_000, 4_000, 8_000, 16_000)


def main() -> None:
    lexicon = load_lexicon()
    lines = SEED.read_text(encoding="utf-8").splitlines()
    rows = []
    for size in SIZES:
        text = "\n".join((lines * (size // len(lines) + 1))[:size])
        tokenizer = Tokenizer(lexicon)  # a fresh one: no cached segmentation from the smaller run
        start = time.perf_counter()
        facts = extract_facts("scaled.txt", repair(text), lexicon, tokenizer)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "lines": size,
                "facts": len(facts),
                "seconds": round(seconds, 3),
                "seconds_per_1000_lines": round(seconds / size * 1000, 4),
            }
        )
    growth = rows[-1]["seconds_per_1000_lines"] / rows[0]["seconds_per_1000_lines"]
    print(json.dumps({"runs": rows, "per_line_cost_ratio_largest_to_smallest": round(growth, 2)}))


if __name__ == "__main__":
    main()
