import codecs
import random

import pytest

from facts.errors import EmptyDocument, UndecodableDocument
from facts.reading.readers import decode_report, read_report

# From seeds/000 and seeds/001: CJK, full-width punctuation, 〔〕 and a rare name (鑫赟准).
EXCERPT = "2019 年 1月，国务院印发《国务\n院关于促进综合保税区高水平开放\n高 质 量 发 展 的 若 干 意 见》（国 发\n〔2019〕3 号）"
NAMES = "长安民生、中\n欧木业、坚木、迳兴、海悦众康、智领医创、\n百奥美、鑫赟准8家企业正在建设。"
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (EXCERPT.encode("utf-8"), EXCERPT),
        (codecs.BOM_UTF8 + EXCERPT.encode("utf-8"), EXCERPT),
        (EXCERPT.encode("gb18030"), EXCERPT),
        (NAMES.encode("gb18030"), NAMES),
        (EXCERPT.encode("gbk"), EXCERPT),
        ("扩大了综保区的开放程度。".encode("gb2312"), "扩大了综保区的开放程度。"),
        (EXCERPT.encode("utf-16"), EXCERPT),
        ("扩大了综\r\n保区的开放程度。\r“国发3号文".encode(), "扩大了综\n保区的开放程度。\n“国发3号文"),
        ("规模。\n\f2019年8月".encode(), "规模。\n\f2019年8月"),
    ],
    ids=[
        "utf-8",
        "utf-8-bom",
        "gb18030",
        "gb18030-rare-names",
        "gbk",
        "gb2312",
        "utf-16-bom",
        "crlf-and-cr-normalised",
        "form-feed-is-text",
    ],
)
def test_decode_report_reads_text(data: bytes, expected: str) -> None:
    assert decode_report(data, "report.txt") == expected


@pytest.mark.parametrize(
    ("data", "error", "reason"),
    [
        (b"", EmptyDocument, "empty file (no text)"),
        (b" \n\t\r\n  ", EmptyDocument, "empty file (no text)"),
        ("\u3000\n\u3000".encode(), EmptyDocument, "empty file (no text)"),
        (codecs.BOM_UTF8 + b"\n", EmptyDocument, "empty file (no text)"),
        (PNG_HEADER + random.Random(0).randbytes(512), UndecodableDocument, "binary file, not text"),
        (
            "江津综保区".encode() + b"\x00\x00\x00" + "贡献了其中的65%".encode(),
            UndecodableDocument,
            "binary file, not text",
        ),
        (b"\x01\x02\x1b\x7f" * 10 + EXCERPT.encode(), UndecodableDocument, "binary file, not text"),
        ("café crème".encode("latin-1"), UndecodableDocument, "not UTF-8 or GB18030 text"),
        (b"\x80\xff" * 20, UndecodableDocument, "not UTF-8 or GB18030 text"),
        (codecs.BOM_UTF8 + EXCERPT.encode("gb18030"), UndecodableDocument, "not UTF-8 or GB18030 text"),
        (
            random.Random(1).randbytes(400).replace(b"\x00", b""),
            UndecodableDocument,
            "not UTF-8 or GB18030 text",
        ),
        (b"\xfe\xfe\xaa\xa1" * 30, UndecodableDocument, "not UTF-8 or GB18030 text"),
    ],
    ids=[
        "empty",
        "whitespace-only",
        "ideographic-spaces-only",
        "bom-only",
        "png",
        "nul-bytes",
        "control-characters",
        "latin-1",
        "invalid-bytes",
        "utf-8-bom-with-gb18030-body",
        "random-bytes-without-nul",
        "gb18030-private-use-garbage",
    ],
)
def test_decode_report_refuses(data: bytes, error: type[Exception], reason: str) -> None:
    with pytest.raises(error) as caught:
        decode_report(data, "report.txt")
    assert caught.value.name == "report.txt"
    assert caught.value.reason == reason


def test_read_report_decodes_file(tmp_path) -> None:
    path = tmp_path / "000.txt"
    path.write_bytes(EXCERPT.replace("\n", "\r\n").encode("gb18030"))
    assert read_report(path) == EXCERPT


def test_read_report_names_the_file_in_errors(tmp_path) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(b"\n\n")
    with pytest.raises(EmptyDocument, match=r"^blank\.txt: "):
        read_report(path)
