"""What operators do to the store: reload with a diff of what changed, accept uploaded reports."""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from facts.store.build import REPORT_SUFFIXES
from facts.errors import DocumentError, FactbotError
from facts.reading.readers import decode_report

DEFAULT_MAX_UPLOAD = 5 * 1024 * 1024
SAFE_NAME = re.compile(r"[^\w\u4e00-\u9fff.\-]+")


class UploadRefused(FactbotError):
    """An uploaded file we will not save; the message says why."""


@dataclass
class ReloadDiff:
    documents: int = 0
    facts: int = 0
    documents_added: list[str] = field(default_factory=list)
    documents_removed: list[str] = field(default_factory=list)
    facts_added: list[str] = field(default_factory=list)
    facts_removed: list[str] = field(default_factory=list)
    facts_changed: list[str] = field(default_factory=list)  # "doc: indicator 536列 → 540列"
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.documents_added or self.documents_removed or self.facts_added or self.facts_removed
                    or self.facts_changed)


def _key(fact) -> tuple:
    return (fact.doc, fact.indicator, fact.subject_name or "", fact.unit, fact.measure, fact.kind)


def _label(fact) -> str:
    return f"{fact.doc}: {fact.indicator} {fact.figure}（{fact.period_label or '时间不详'}）"


def diff_facts(old: list, new: list, old_docs: set[str], new_docs: set[str]) -> ReloadDiff:
    """What a rebuild changed. Facts pair up by document, indicator, subject, unit, measure and kind
    (in line order); a pair whose figure or period differs is a change, the rest are added or removed."""
    diff = ReloadDiff(documents=len(new_docs), facts=len(new))
    diff.documents_added = sorted(new_docs - old_docs)
    diff.documents_removed = sorted(old_docs - new_docs)
    before, after = defaultdict(list), defaultdict(list)
    for fact in sorted(old, key=lambda f: (f.doc, f.line)):
        before[_key(fact)].append(fact)
    for fact in sorted(new, key=lambda f: (f.doc, f.line)):
        after[_key(fact)].append(fact)
    for key in sorted(set(before) | set(after), key=str):
        olds, news = before.get(key, []), after.get(key, [])
        for was, now in zip(olds, news):
            changes = []
            if (was.value, was.value_max, was.qualifier) != (now.value, now.value_max, now.qualifier):
                changes.append(f"{was.figure} → {now.figure}")
            if was.period_label != now.period_label:
                changes.append(f"{was.period_label or '时间不详'} → {now.period_label or '时间不详'}")
            if changes:
                diff.facts_changed.append(f"{now.doc}: {now.indicator} " + "，".join(changes))
        diff.facts_removed += [_label(f) for f in olds[len(news):]]
        diff.facts_added += [_label(f) for f in news[len(olds):]]
    return diff


REASONS_ZH = {"binary file, not text": "二进制文件，不是文本", "empty file (no text)": "空文件，没有文字",
              "not UTF-8 or GB18030 text": "不是 UTF-8 或 GB18030 编码的文本"}


def reason_zh(reason: str) -> str:
    return REASONS_ZH.get(reason, reason)


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else (f"{size / 1024:.1f} KB" if size >= 1024
                                                                        else f"{size} 字节")


def refuse_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise UploadRefused(f"文件太大（{size_text(size)}），上限是 {size_text(max_bytes)}。")


def safe_report_name(name: str) -> str:
    """A file name that stays inside the seeds folder and has a report suffix."""
    base = SAFE_NAME.sub("_", Path(name or "").name).strip("._") or "report.txt"
    if Path(base).suffix.lower() not in REPORT_SUFFIXES:
        raise UploadRefused(f"只接受 .txt 或 .md 报告文件（收到的是 {Path(base).suffix or '无扩展名'}）。")
    return base


def check_upload(name: str, data: bytes, max_bytes: int = DEFAULT_MAX_UPLOAD) -> str:
    """The decoded text of an acceptable upload; UploadRefused (with a reason for the user) otherwise."""
    safe_report_name(name)
    refuse_size(len(data), max_bytes)
    try:
        return decode_report(data, name)
    except DocumentError as err:
        raise UploadRefused(f"无法使用这个文件：{reason_zh(err.reason)}。") from err


def save_report(folder: Path, name: str, data: bytes) -> Path:
    """Write the report into the seeds folder atomically (a half-written file is never read)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_report_name(name)
    partial = folder / f".{target.name}.part"
    partial.write_bytes(data)
    partial.replace(target)
    return target
