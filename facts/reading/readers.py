"""Report files → text: guess the encoding, refuse what is not text."""

import codecs
import re
from pathlib import Path

from facts.errors import EmptyDocument, UndecodableDocument

_BINARY = "binary file, not text"
_UNKNOWN = "not UTF-8 or GB18030 text"

# C0/C1 controls except \t \n \v \f \r: PDF extractors emit \f at page breaks, text never has the rest.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.01

# GB18030 maps almost any byte sequence to some character, so a decode only counts as
# text when enough of it is what a Chinese report is made of.
_PLAUSIBLE = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    r"\x21-\x7e"  # printable ASCII
    r"\u00b7\u2010-\u206f\u3000-\u303f\uff01-\uff5e]"  # punctuation, full-width forms
)
_MIN_PLAUSIBLE_SHARE = 0.3


def decode_report(data: bytes, name: str) -> str:
    """Decode a report's bytes (UTF-8 with or without BOM, GB18030/GBK/GB2312) to text with \\n newlines."""
    text = _decode(data, name)
    if not text.strip():
        raise EmptyDocument(name)
    if len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise UndecodableDocument(name, _BINARY)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_report(path: Path) -> str:
    """Read and decode one report file."""
    return decode_report(path.read_bytes(), path.name)


def _decode(data: bytes, name: str) -> str:
    # Notepad's "Unicode" is UTF-16 with a BOM; its NUL bytes would otherwise look binary.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UndecodableDocument(name, _UNKNOWN) from None
    if b"\x00" in data:
        raise UndecodableDocument(name, _BINARY)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # A UTF-8 BOM with a broken body is damaged UTF-8; as GB18030 it would be mojibake.
        if data.startswith(codecs.BOM_UTF8):
            raise UndecodableDocument(name, _UNKNOWN) from None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise UndecodableDocument(name, _UNKNOWN) from None
    solid = sum(1 for c in text if not c.isspace())
    if len(_PLAUSIBLE.findall(text)) < _MIN_PLAUSIBLE_SHARE * solid:
        raise UndecodableDocument(name, _UNKNOWN)
    return text
