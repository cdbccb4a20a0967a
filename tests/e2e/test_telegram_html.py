"""Telegram HTML parse mode: which strings the Bot API accepts, and what the user then sees."""

import pytest
from telegram_html import EntityParseError, FormattedText, command_entities, parse_html, trim, utf16_len

P = pytest.param

VALID = [
    P("plain text", "plain text", [], id="plain"),
    P("<b>江津</b>区", "江津区", [("bold", 0, 2)], id="bold-cjk"),
    P(
        "<strong>a</strong><i>b</i><em>c</em><u>d</u><ins>e</ins>",
        "abcde",
        [("bold", 0, 1), ("italic", 1, 1), ("italic", 2, 1), ("underline", 3, 1), ("underline", 4, 1)],
        id="synonyms",
    ),
    P(
        "<s>a</s><strike>b</strike><del>c</del>",
        "abc",
        [("strikethrough", 0, 1), ("strikethrough", 1, 1), ("strikethrough", 2, 1)],
        id="strike",
    ),
    P("<b>bold <i>both</i></b>", "bold both", [("bold", 0, 9), ("italic", 5, 4)], id="nested"),
    P(
        '<a href="https://example.com/?a=1&amp;b=2">link</a>',
        "link",
        [("text_link", 0, 4)],
        id="link-escaped-query",
    ),
    P("<pre><code class=Language-PY>x</code></pre>", "x", [("pre", 0, 1)], id="unquoted-name-token"),
    P("<code>x &lt; y</code>", "x < y", [("code", 0, 5)], id="code-escaped"),
    P(
        '<pre><code class="language-python">print(1)</code></pre>',
        "print(1)",
        [("pre", 0, 8)],
        id="pre-code-language",
    ),
    P(
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
        "st",
        [("spoiler", 0, 1), ("spoiler", 1, 1)],
        id="spoilers",
    ),
    P("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)], id="blockquote"),
    P("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)], id="expandable"),
    P(
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "👍",
        [("custom_emoji", 0, 2)],
        id="custom-emoji",
    ),
    P("&lt;&gt;&amp;&quot;", '<>&"', [], id="named-entities"),
    P("&#65;&#x1F600;", "A😀", [], id="numeric-entities"),
    P("&lt without semicolon", "< without semicolon", [], id="entity-no-semicolon"),
    P("a > b", "a > b", [], id="bare-gt"),
    P("<B>upper</B>", "upper", [("bold", 0, 5)], id="tag-case"),
    P("<b>x</>", "x", [("bold", 0, 1)], id="anonymous-close"),
    P("<b></b>empty", "empty", [], id="empty-tag-no-entity"),
    P("😀<b>x</b>", "😀x", [("bold", 2, 1)], id="utf16-offsets"),
    P("<b class='x'>x</b>", "x", [("bold", 0, 1)], id="ignored-attribute"),
]

INVALID = [
    P("a < b", 'Unsupported start tag "" at byte offset 2', id="bare-lt"),
    P("<br>", 'Unsupported start tag "br" at byte offset 0', id="br"),
    P("<p>x</p>", 'Unsupported start tag "p" at byte offset 0', id="p"),
    P("江津<div>", 'Unsupported start tag "div" at byte offset 6', id="byte-offset-utf8"),
    P("<b>x", 'Can\'t find end tag corresponding to start tag "b"', id="unclosed"),
    P("x</b>", "Unexpected end tag at byte offset 1", id="unexpected-end"),
    P("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"', id="misnested"),
    P("<b", "Unclosed start tag at byte offset 0", id="unclosed-start"),
    P("<a href=https://x.org>x</a>", "Unexpected end of name token at byte offset 8", id="unquoted-url"),
    P("<b>x</b", "Unclosed end tag at byte offset 4", id="unclosed-end"),
    P('<a href="x"', "Unclosed start tag at byte offset 0", id="unclosed-attribute"),
    P(
        "<b foo>x</b>",
        'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
        id="attribute-without-value",
    ),
    P(
        '<span class="x">s</span>',
        'Tag "span" must have class "tg-spoiler" at byte offset 0',
        id="span-not-spoiler",
    ),
    P("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier specified", id="emoji-without-id"),
    P("AT&T", 'Unescaped "&" at byte offset 2; write it as "&amp;"', id="bare-ampersand"),
    P("&nbsp;", 'Unescaped "&" at byte offset 0; write it as "&amp;"', id="unknown-named-entity"),
    P("&#0;", 'Unescaped "&" at byte offset 0; write it as "&amp;"', id="numeric-zero"),
    P(
        '<a href="?a=1&b=2">x</a>',
        'Unescaped "&" at byte offset 13; write it as "&amp;"',
        id="ampersand-in-attribute",
    ),
    P(
        "&#xD800;",
        "Text contains invalid Unicode characters after decoding HTML entities, "
        "check for unmatched surrogate code units",
        id="surrogate",
    ),
]


@pytest.mark.parametrize(("source", "text", "entities"), VALID)
def test_valid_html(source, text, entities):
    parsed = parse_html(source)
    assert parsed.text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


@pytest.mark.parametrize(("source", "error"), INVALID)
def test_invalid_html(source, error):
    with pytest.raises(EntityParseError) as raised:
        parse_html(source)
    assert str(raised.value) == error


def test_real_telegram_shows_a_bare_ampersand_literally():
    assert parse_html("AT&T &nbsp;", strict_ampersand=False).text == "AT&T &nbsp;"


def test_link_and_language_arguments():
    source = '<a href="example.com">e</a> <pre><code class="language-py">x</code></pre>'
    link, pre = parse_html(source).entities
    assert link["url"] == "http://example.com"
    assert pre == {"type": "pre", "offset": 2, "length": 1, "language": "py"}


def test_inline_code_drops_its_language():
    [code] = parse_html('<code class="language-py">x</code>').entities
    assert code == {"type": "code", "offset": 0, "length": 1}


def test_trim_strips_whitespace_and_shifts_entities():
    trimmed = trim(parse_html("\n  <b> 江津 </b>\n"))
    assert trimmed == FormattedText("江津", [{"type": "bold", "offset": 0, "length": 2}])


@pytest.mark.parametrize(
    ("text", "length"), [P("abc", 3, id="ascii"), P("江津区", 3, id="cjk"), P("😀a", 3, id="emoji")]
)
def test_utf16_len(text, length):
    assert utf16_len(text) == length


@pytest.mark.parametrize(
    ("text", "commands"),
    [
        P("/start", [(0, 6)], id="start"),
        P("/ask@factbot_test_bot 江津 GDP", [(0, 21)], id="addressed"),
        P("please /help me", [(7, 5)], id="middle"),
        P("a/b and https://x.org/y", [], id="not-commands"),
    ],
)
def test_command_entities(text, commands):
    assert [(e["offset"], e["length"]) for e in command_entities(text)] == commands
