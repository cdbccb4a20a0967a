"""Telegram's HTML parse mode, the way the Bot API server (tdlib's ``parse_html``) reads it.

``parse_html(source)`` returns the visible text and its entities (offsets in UTF-16 code units,
as Telegram counts them) or raises ``EntityParseError`` with tdlib's wording, which the fake
server prefixes with "Bad Request: can't parse entities: ".

One deliberate difference: tdlib shows an "&" that starts no known entity literally ("AT&T"
works on real Telegram). With ``strict_ampersand=True`` (the default) it is an error here, so
that text which skipped ``html.escape`` fails in tests instead of in production when the user
happens to type "&lt".
"""

import re
from dataclasses import dataclass, field

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
LINK_SCHEMES = ("http://", "https://", "tg:", "ton://", "tonsite://")
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_SPACES = " \t\r\n\v\0"
_BOT_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is tdlib's."""


@dataclass(frozen=True)
class FormattedText:
    text: str
    entities: list[dict] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_index: int  # where the tag's content starts in the output characters


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP (emoji) count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def command_entities(text: str) -> list[dict]:
    """The bot_command entities Telegram attaches to a user's "/start" or "/ask@some_bot"."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _BOT_COMMAND.finditer(text)
    ]


def parse_html(source: str, *, strict_ampersand: bool = True) -> FormattedText:
    """Visible text and entities of ``source``, untrimmed; see the module docstring."""
    out: list[str] = []
    offset = 0
    stack: list[_OpenTag] = []
    entities: list[dict] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            decoded, end = _decode_entity(source, i)
            if decoded is not None:
                out.append(decoded)
                offset += utf16_len(decoded)
                i = end
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Unescaped "&" at byte offset {_byte_offset(source, i)}; write it as "&amp;"'
                )
        if ch != "<":
            out.append(ch)
            offset += utf16_len(ch)
            i += 1
            continue
        if i + 1 < n and source[i + 1] == "/":
            i = _close_tag(source, i, stack, entities, out, offset)
        else:
            i, tag = _open_tag(source, i, strict_ampersand)
            stack.append(_OpenTag(tag.name, tag.argument, offset, len(out)))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return FormattedText("".join(out), entities)


def trim(formatted: FormattedText) -> FormattedText:
    """Strip leading/trailing whitespace like Telegram does, clipping entities to what is left."""
    text = formatted.text
    stripped = text.strip()
    if stripped == text:
        return formatted
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    length = utf16_len(stripped)
    entities = []
    for entity in formatted.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, length)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, pos: int) -> tuple[str | None, int]:
    """tdlib's decode_html_entity: the character and the index after the entity, or (None, pos)."""
    n = len(source)
    end = pos + 1
    if end < n and source[end] == "#":
        end += 1
        value = 0
        if end < n and source[end] == "x":
            end += 1
            while end < n and source[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(source[end], 16)
                end += 1
        else:
            while end < n and source[end] in "0123456789":
                value = value * 10 + int(source[end])
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None, pos
        if 0xD800 <= value <= 0xDFFF:
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        decoded = chr(value)
    else:
        while end < n and source[end].isascii() and source[end].isalpha():
            end += 1
        decoded = NAMED_ENTITIES.get(source[pos + 1 : end])
        if decoded is None:
            return None, pos
    if end < n and source[end] == ";":
        end += 1
    return decoded, end


def _skip_spaces(source: str, i: int) -> int:
    while i < len(source) and source[i] in _SPACES:
        i += 1
    return i


def _open_tag(source: str, begin: int, strict_ampersand: bool) -> tuple[int, _OpenTag]:
    """Parse ``<tag attr="value" …>`` starting at ``begin``; return the index after ``>``."""
    n = len(source)
    i = begin + 1
    while i < n and source[i] not in _SPACES and source[i] != ">":
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
    name = source[begin + 1 : i].lower()
    if name not in SUPPORTED_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, begin)}')
    argument = ""
    while True:
        i = _skip_spaces(source, i)
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
        if source[i] == ">":
            break
        i, attribute, value = _attribute(source, i, name, begin, strict_ampersand)
        argument = _tag_argument(name, attribute, value, argument)
    if name == "span" and argument != "spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, begin)}'
        )
    return i + 1, _OpenTag(name, argument, 0, 0)


def _attribute(
    source: str, i: int, name: str, begin: int, strict_ampersand: bool
) -> tuple[int, str, str | None]:
    """One ``attr="value"`` of the tag ``name`` (opened at ``begin``) at ``i``: the index after it, the
    attribute and its value (None for a blockquote's bare ``expandable``, the one attribute without one)."""
    n = len(source)
    attr_begin = i
    while i < n and source[i] not in _SPACES and source[i] not in "=>":
        i += 1
    attribute = source[attr_begin:i]
    i = _skip_spaces(source, i)
    if i >= n or source[i] != "=":
        if name == "blockquote" and attribute == "expandable":
            return i, attribute, None
        raise EntityParseError(
            f'Expected equal sign in declaration of an attribute of the tag "{name}" '
            f"at byte offset {_byte_offset(source, begin)}"
        )
    i = _skip_spaces(source, i + 1)
    if i >= n:
        raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {_byte_offset(source, begin)}')
    i, value = _attribute_value(source, i, strict_ampersand)
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
    return i, attribute, value


_ARGUMENT_PREFIXES = {("code", "class"): "language-", ("span", "class"): "tg-"}


def _tag_argument(name: str, attribute: str, value: str | None, argument: str) -> str:
    """The tag's argument once this attribute is read (attributes tdlib does not use leave it as it was)."""
    if value is None:  # <blockquote expandable>
        return "1"
    if (name, attribute) in (("a", "href"), ("tg-emoji", "emoji-id")):
        return value
    prefix = _ARGUMENT_PREFIXES.get((name, attribute))
    if prefix is not None and value.startswith(prefix):
        return value.removeprefix(prefix)
    return argument


def _attribute_value(source: str, i: int, strict_ampersand: bool) -> tuple[int, str]:
    n = len(source)
    if source[i] not in "'\"":
        # A name token: letters, digits, periods or hyphens, case-insensitive.
        token_begin = i
        while i < n and ((source[i].isascii() and source[i].isalnum()) or source[i] in ".-"):
            i += 1
        if i < n and source[i] not in _SPACES and source[i] != ">":
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(source, token_begin)}"
            )
        return i, source[token_begin:i].lower()
    quote = source[i]
    i += 1
    value: list[str] = []
    while i < n and source[i] != quote:
        if source[i] == "&":
            decoded, end = _decode_entity(source, i)
            if decoded is not None:
                value.append(decoded)
                i = end
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Unescaped "&" at byte offset {_byte_offset(source, i)}; write it as "&amp;"'
                )
        value.append(source[i])
        i += 1
    if i < n:
        i += 1
    return i, "".join(value)


def _close_tag(
    source: str, begin: int, stack: list[_OpenTag], entities: list[dict], out: list[str], offset: int
) -> int:
    """Parse ``</tag>`` at ``begin``, emit the closed entity, return the index after ``>``."""
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(source, begin)}")
    n = len(source)
    i = begin + 2
    while i < n and source[i] not in _SPACES and source[i] != ">":
        i += 1
    end_name = source[begin + 2 : i].lower()
    i = _skip_spaces(source, i)
    if i >= n or source[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
    tag = stack.pop()
    if end_name and end_name != tag.name:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
            f'expected "</{tag.name}>", found "</{end_name}>"'
        )
    if offset > tag.utf16_offset:
        entity = _entity(tag, offset - tag.utf16_offset, "".join(out[tag.text_index :]), entities)
        if entity is not None:
            entities.append(entity)
    return i + 1


def _entity(tag: _OpenTag, length: int, content: str, entities: list[dict]) -> dict | None:
    """The entity a closed tag makes, or None (a dropped link, or a merged pre/code pair)."""
    start = tag.utf16_offset
    base = {"offset": start, "length": length}
    last = entities[-1] if entities else None
    same_span = last if last is not None and last["offset"] == start and last["length"] == length else None
    if tag.name in _SIMPLE_TYPES:
        return {"type": _SIMPLE_TYPES[tag.name], **base}
    if tag.name == "blockquote":
        return {"type": "expandable_blockquote" if tag.argument else "blockquote", **base}
    if tag.name == "tg-emoji":
        if not tag.argument.isdigit() or int(tag.argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", **base, "custom_emoji_id": tag.argument}
    if tag.name == "a":
        return _link(base, tag.argument or content)
    return _pre_or_code(tag, base, same_span)


def _link(base: dict, url: str) -> dict | None:
    """A text_link, or None for a link tdlib cannot check (it drops those silently)."""
    if "://" not in url and not url.startswith("tg:"):
        url = "http://" + url
    if not url.lower().startswith(LINK_SCHEMES) or len(url) <= len("http://"):
        return None
    return {"type": "text_link", **base, "url": url}


def _pre_or_code(tag: _OpenTag, base: dict, same_span: dict | None) -> dict | None:
    """<pre> or <code>. A pre and a code with a language over the same span (``same_span``: the entity
    closed just before over the same characters, if any) merge into one pre with that language."""
    if tag.name == "pre":
        if same_span is not None and same_span["type"] == "code" and same_span.get("language"):
            same_span.update(type="pre")
            return None
        return {"type": "pre", **base}
    if same_span is not None and same_span["type"] == "pre" and tag.argument:
        same_span["language"] = tag.argument
        return None
    return {"type": "code", **base, "language": tag.argument} if tag.argument else {"type": "code", **base}
