"""Measure factbot against the spec's budgets and print one JSON object to stdout.

Budgets (measured here, never asserted in tests):
  * a question in batch mode well under 2 ms on a 300-report corpus (~20k facts);
  * building that corpus under 60 s;
  * a cold `factbot ask` under 2.5 s;
  * a question in process at least 10x faster than a jieba + BM25 baseline (issue 10).

Steps: generate the corpus (make_corpus.py), `factbot build` it, time `factbot ask --json -` with
~1000 questions and with one (the difference is the per-question cost), time FactService.answer()
in process, time the baseline on the same questions (rank-bm25's BM25Okapi over the jieba-cut
sentences of the same reports, built once and untimed; per question jieba.lcut + get_top_n(n=5)),
then time cold `factbot ask` against the big store and a store of the five seeds.
Progress and errors go to stderr; a failed step is reported in "errors" and the exit code is 1.

    python benchmarks/bench_facts.py [--reports 300] [--questions 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import SEED_DISTRICT, district_of, make_corpus

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "seeds"
DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev.jsonl"
FACTBOT = Path(sys.executable).parent / "factbot"
COLD_QUESTION = "2022年江津班列开了多少列？"
COLD_RUNS = 5
WARMUP = 20
# The baseline's sentences: reports split on these (full- and half-width) and on line breaks.
SENTENCE_END = re.compile(r"[。！？!?；;\r\n]+")
BM25_TOP_N = 5
BM25_COMMAND = (
    "rank_bm25.BM25Okapi([jieba.lcut(s) for s in sentences of the corpus, split on 。！？!?；; and newlines]); "
    "per question: get_top_n(jieba.lcut(q), sentences, n=5)"
)

BUILD_TIMEOUT = 600
BATCH_TIMEOUT = 600
ASK_TIMEOUT = 60


class StepFailed(Exception):
    """A benchmark step could not run; the message says which command and why."""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_factbot(args: list[str], *, database_url: str, timeout: float, stdin: str | None = None):
    """Run factbot once; return (seconds, completed process). Raise StepFailed on any failure."""
    command = [str(FACTBOT), *args]
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONIOENCODING": "utf-8"}
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            command,
            check=False,  # a failure is reported with its stderr below
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=ROOT,
            timeout=timeout,
        )
    except FileNotFoundError as error:
        raise StepFailed(f"{FACTBOT} not found ({error}); is the package installed in the venv?") from error
    except subprocess.TimeoutExpired as error:
        raise StepFailed(f"`{_shown(command)}` did not finish within {timeout} s") from error
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise StepFailed(
            f"`{_shown(command)}` exited with {completed.returncode}: {_tail(completed.stderr or completed.stdout)}"
        )
    return seconds, completed


def _shown(command: list[str]) -> str:
    shown = [Path(part).name if part == str(FACTBOT) else part for part in command]
    return shlex.join(shown)


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _count(pattern: str, text: str) -> int | None:
    match = re.search(pattern, text, re.IGNORECASE | re.MULTILINE)
    return int(match.group(1)) if match else None


def build_store(seeds: Path, db_path: Path) -> dict:
    """`factbot build` a folder of reports into a fresh SQLite store."""
    db_path.unlink(missing_ok=True)
    url = f"sqlite:///{db_path}"
    seconds, completed = run_factbot(
        ["build", "--seeds", str(seeds)], database_url=url, timeout=BUILD_TIMEOUT
    )
    output = completed.stdout + "\n" + completed.stderr
    result = {
        "build_seconds": round(seconds, 3),
        "documents": _count(r"^\W*documents?\W*[:=]\s*(\d+)", output),
        "facts": _count(r"^\W*facts?\W*[:=]\s*(\d+)", output),
        "db_bytes": db_path.stat().st_size if db_path.exists() else None,
    }
    if result["documents"] is None or result["facts"] is None:
        result["output_tail"] = _tail(completed.stdout or completed.stderr)
    return result


def load_questions(n: int, districts: list[str]) -> list[str]:
    """The dev questions, then variants for the corpus districts, until there are `n`."""
    base = [
        json.loads(line)["q"]
        for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    questions = list(base)
    with_district = [q for q in base if SEED_DISTRICT in q]
    for district in districts:
        if len(questions) >= n or not with_district:
            break
        questions += [q.replace(SEED_DISTRICT, district) for q in with_district]
    while len(questions) < n:  # only if the corpus has too few districts
        questions += base
    return questions[:n]


def count_answers(stdout: str) -> int:
    """How many answers `ask --json` printed: a JSON array, or one JSON object per line."""
    text = stdout.strip()
    try:
        parsed = json.loads(text)
        return len(parsed) if isinstance(parsed, list) else 1
    except json.JSONDecodeError:
        pass
    count = 0
    for line in text.splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            json.loads(line)
            count += 1
    return count


def bench_batch(questions: list[str], database_url: str) -> dict:
    """Per-question cost of `ask --json -`: (all questions − one question) / (n − 1)."""
    args = ["ask", "--json", "-"]
    t_all, all_run = run_factbot(
        args, database_url=database_url, timeout=BATCH_TIMEOUT, stdin="\n".join(questions) + "\n"
    )
    t_one, one_run = run_factbot(
        args, database_url=database_url, timeout=ASK_TIMEOUT, stdin=questions[0] + "\n"
    )
    n = len(questions)
    return {
        "questions": n,
        "answers_returned": count_answers(all_run.stdout),
        "answers_returned_for_one": count_answers(one_run.stdout),
        "t_all_seconds": round(t_all, 3),
        "t_one_seconds": round(t_one, 3),
        "per_question_ms": round((t_all - t_one) / (n - 1) * 1000, 3) if n > 1 else None,
    }


def bench_in_process(questions: list[str], database_url: str) -> dict:
    """FactService.answer() timed call by call, after a warm-up."""
    # The library must not write to stdout, but if it does it must not corrupt our JSON.
    with contextlib.redirect_stdout(sys.stderr):
        started = time.perf_counter()
        try:
            # timed: importing the engine is part of what a cold question costs (import_seconds)
            from bot.state.settings import Settings  # noqa: PLC0415
            from facts.store.service import FactService  # noqa: PLC0415
        except Exception as error:
            raise StepFailed(f"cannot import facts.store.service / bot.state.settings: {error!r}") from error
        imported = time.perf_counter()
        try:
            service = FactService.from_settings(Settings(database_url=database_url))
        except Exception as error:
            raise StepFailed(f"FactService.from_settings failed: {error!r}") from error
        loaded = time.perf_counter()

        failures: list[str] = []

        def answer(question: str) -> None:
            try:
                service.answer(question)
            except Exception as error:
                failures.append(f"{question!r}: {error!r}")

        for question in questions[:WARMUP]:
            answer(question)
        warmup_failures = len(failures)
        timings = []
        for question in questions:
            before = time.perf_counter()
            answer(question)
            timings.append((time.perf_counter() - before) * 1000)
    timings.sort()
    result = {
        "questions": len(timings),
        "import_seconds": round(imported - started, 3),
        "from_settings_seconds": round(loaded - imported, 3),
        "mean_ms": round(statistics.fmean(timings), 3),
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[min(len(timings) - 1, int(0.95 * len(timings)))], 3),
        "max_ms": round(timings[-1], 3),
        "exceptions": len(failures) - warmup_failures,
    }
    if failures:
        result["first_exception"] = failures[0][:300]
    return result


def split_sentences(text: str) -> list[str]:
    """The baseline's sentences: `text` cut at 。！？!?；; and line breaks, blank pieces dropped."""
    return [piece.strip() for piece in SENTENCE_END.split(text) if piece.strip()]


def bench_bm25(corpus: Path, questions: list[str], engine: dict | None) -> dict:
    """The jieba + BM25 baseline, timed per question like bench_in_process (warm-up first, then each
    question: jieba.lcut, then get_top_n over all sentences), and the engine's speed-up over it."""
    with contextlib.redirect_stdout(sys.stderr):
        try:
            # the baseline's own libraries: rank-bm25 comes only with the dev extra, said plainly when missing
            import jieba  # noqa: PLC0415
            from rank_bm25 import BM25Okapi  # noqa: PLC0415
        except ImportError as error:
            raise StepFailed(f"{error}; install the dev extras: pip install -e '.[dev]'") from error

        def tokens(text: str) -> list[str]:
            return [token for token in jieba.lcut(text) if token.strip()]

        started = time.perf_counter()
        jieba.initialize()  # the default dictionary, loaded here rather than inside the first timing
        paths = sorted(corpus.glob("*.txt"))
        sentences = [
            sentence for path in paths for sentence in split_sentences(path.read_bytes().decode("utf-8"))
        ]
        tokenized = [tokens(sentence) for sentence in sentences]
        kept = [i for i, words in enumerate(tokenized) if words]  # punctuation-only pieces index nothing
        sentences = [sentences[i] for i in kept]
        tokenized = [tokenized[i] for i in kept]
        cut = time.perf_counter()
        index = BM25Okapi(tokenized)
        indexed = time.perf_counter()

        def search(question: str) -> list[str]:
            return index.get_top_n(tokens(question), sentences, n=BM25_TOP_N)

        for question in questions[:WARMUP]:
            search(question)
        timings = []
        for question in questions:
            before = time.perf_counter()
            search(question)
            timings.append((time.perf_counter() - before) * 1000)
    timings.sort()
    mean = statistics.fmean(timings)
    median = statistics.median(timings)
    engine_mean = engine.get("mean_ms") if engine else None
    engine_median = engine.get("median_ms") if engine else None
    return {
        "reports": len(paths),
        "sentences": len(sentences),
        "tokenize_seconds": round(cut - started, 3),
        "index_seconds": round(indexed - cut, 3),
        "questions": len(timings),
        "mean_ms": round(mean, 3),
        "median_ms": round(median, 3),
        "p95_ms": round(timings[min(len(timings) - 1, int(0.95 * len(timings)))], 3),
        "max_ms": round(timings[-1], 3),
        "engine_mean_ms": engine_mean,
        "engine_median_ms": engine_median,
        "speedup_vs_bm25": round(mean / engine_mean, 1) if engine_mean else None,
        "speedup_median_vs_bm25": round(median / engine_median, 1) if engine_median else None,
    }


def bench_cold(database_url: str) -> dict:
    """A fresh `factbot ask` process, COLD_RUNS times."""
    seconds = []
    completed = None
    for _ in range(COLD_RUNS):
        elapsed, completed = run_factbot(
            ["ask", COLD_QUESTION], database_url=database_url, timeout=ASK_TIMEOUT
        )
        seconds.append(elapsed)
    return {
        "runs": COLD_RUNS,
        "median_seconds": round(statistics.median(seconds), 3),
        "max_seconds": round(max(seconds), 3),
        "all_seconds": [round(s, 3) for s in seconds],
        "answer_head": completed.stdout.strip()[:200] if completed else None,
    }


def machine() -> dict:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = None
    return {
        "nproc": usable or os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300, help="reports in the generated corpus")
    parser.add_argument("--questions", type=int, default=1000, help="questions in batch and in-process runs")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep corpus and stores")
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as stack:
        if args.keep:
            work = args.keep.resolve()
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="factbot-bench-")))
        report = run_all(work, args.reports, args.questions)
        if args.keep:
            report["kept"] = str(work)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 1 if report["errors"] else 0


def run_all(work: Path, n_reports: int, n_questions: int) -> dict:
    corpus = work / "corpus"
    big_db, small_db = work / "bench.db", work / "seeds.db"
    big_url, small_url = f"sqlite:///{big_db}", f"sqlite:///{small_db}"
    report: dict = {
        "machine": machine(),
        "budgets": {
            "per_question_ms": 2.0,
            "build_seconds": 60.0,
            "cold_ask_seconds": 2.5,
            "speedup_vs_bm25": 10.0,
        },
        "commands": {
            "corpus": f"python benchmarks/make_corpus.py --seeds seeds --out {corpus} -n {n_reports}",
            "build": f"DATABASE_URL={big_url} factbot build --seeds {corpus}",
            "build_seeds": f"DATABASE_URL={small_url} factbot build --seeds {SEEDS_DIR}",
            "batch": f"DATABASE_URL={big_url} factbot ask --json - < questions.txt",
            "cold": f"DATABASE_URL=<store> factbot ask {shlex.quote(COLD_QUESTION)}",
            "bm25_baseline": BM25_COMMAND,
        },
        "errors": {},
    }

    def step(name: str, action):
        log(f"{name} …")
        started = time.perf_counter()
        try:
            result = action()
        except StepFailed as error:
            report["errors"][name] = str(error)
        except Exception as error:
            report["errors"][name] = f"unexpected {error!r}"
        else:
            log(f"{name} done in {time.perf_counter() - started:.1f} s")
            report[name] = result
            return result
        log(f"{name} FAILED: {report['errors'][name]}")
        return None

    def generate():
        started = time.perf_counter()
        paths = make_corpus(SEEDS_DIR, corpus, n_reports)
        return {
            "reports": len(paths),
            "kb": round(sum(path.stat().st_size for path in paths) / 1024),
            "seconds": round(time.perf_counter() - started, 3),
            "districts": len({district_of(path) for path in paths}),
        }

    paths_made = step("corpus", generate)
    built = step("build", lambda: build_store(corpus, big_db)) if paths_made else None
    step("build_seeds", lambda: build_store(SEEDS_DIR, small_db))

    if built:
        districts = list(dict.fromkeys(district_of(path) for path in sorted(corpus.glob("*.txt"))))
        questions = load_questions(n_questions, districts)
        (work / "questions.txt").write_text("\n".join(questions) + "\n", encoding="utf-8")
        step("batch", lambda: bench_batch(questions, big_url))
        engine = step("in_process", lambda: bench_in_process(questions, big_url))
        step("bm25_baseline", lambda: bench_bm25(corpus, questions, engine))
        step("cold_300", lambda: bench_cold(big_url))
    if "build_seeds" in report:
        step("cold_seeds", lambda: bench_cold(small_url))
    return report


if __name__ == "__main__":
    sys.exit(main())
