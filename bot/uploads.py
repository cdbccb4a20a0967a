"""Reports uploaded by an admin: checked (name, size, text) before they are saved into the seeds folder."""

import re
from pathlib import Path

from facts.errors import DocumentError, FactbotError
from facts.reading.readers import decode_report
from facts.store.build import REPORT_SUFFIXES

DEFAULT_MAX_UPLOAD = 5 * 1024 * 1024
SAFE_NAME = re.compile(r"[^\w\u4e00-\u9fff.\-]+")


class UploadRefused(FactbotError):
    """An uploaded file we will not save; the message says why."""


REASONS_ZH = {
    "binary file, not text": "二进制文件，不是文本",
    "empty file (no text)": "空文件，没有文字",
    "not UTF-8 or GB18030 text": "不是 UTF-8 或 GB18030 编码的文本",
}


def reason_zh(reason: str) -> str:
    return REASONS_ZH.get(reason, reason)


KB, MB = 1024, 1024 * 1024


def size_text(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else (f"{size / KB:.1f} KB" if size >= KB else f"{size} 字节")


def refuse_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise UploadRefused(f"文件太大（{size_text(size)}），上限是 {size_text(max_bytes)}。")


# the file system allows 255 bytes; the save goes through ".{name}.part", and a margin is cheap
MAX_NAME_BYTES = 200
ACCEPTED = "、".join(sorted(REPORT_SUFFIXES, key=lambda s: (len(s), s)))  # every suffix the build reads


def safe_report_name(name: str) -> str:
    """A file name that stays inside the seeds folder and has a report suffix."""
    base = SAFE_NAME.sub("_", Path(name or "").name)
    if not base.strip("._"):
        return "report.txt"  # a document without a name
    suffix = Path(base).suffix
    if suffix.lower() not in REPORT_SUFFIXES:
        raise UploadRefused(f"只接受 {ACCEPTED} 报告文件（收到的是 {suffix or '无扩展名'}）。")
    stem = base[: -len(suffix)].strip("._")
    if not stem:
        raise UploadRefused(f"文件名只有扩展名 {suffix}，请给报告起个名字再发送。")
    safe = stem + suffix
    if len(safe.encode()) > MAX_NAME_BYTES:
        raise UploadRefused(
            f"文件名太长（{len(safe.encode())} 字节），请改短到 {MAX_NAME_BYTES} 字节以内再发送。"
        )
    return safe


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
