"""Characters no text of the site may hold, those it should not, and how to print any text safely.

Every string is checked after YAML has decoded it, so a character written as an escape ("\\x01",
"\\0", "\\u202E") is caught as surely as one typed into the file. Refused: control characters (they
reach the HTML, the CSV and the feed, where a NUL or a form feed makes feed.xml invalid XML),
bidirectional controls (they reorder the text around them: a title can read backwards), and
noncharacters and lone surrogates (no text holds them; UTF-8 cannot even write a surrogate). Warned
about: zero-width characters, which can be meant but usually are pasted by accident.
"""

from __future__ import annotations

import re
import unicodedata

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"

_REFUSED_BUT_CR = f"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff{_NONCHARACTERS}"

FORBIDDEN = re.compile(f"[\r{_REFUSED_BUT_CR}]")
"""Characters refused in any text: C0 controls but tab and newline, DEL, C1 controls, bidirectional
controls, surrogates and noncharacters."""
ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH}]")
"""Invisible characters that are warned about: zero-width space, (non-)joiner, word joiner, BOM."""
UNPRINTABLE = re.compile(f"[\t\n\r\u2028\u2029{_ZERO_WIDTH}]|{FORBIDDEN.pattern}")
"""Characters printed as escapes in a message: the refused and warned-about ones, and line breaks
(a message is one line; a newline could start a forged line of output)."""

_IS_BIDI = re.compile(f"[{_BIDI}]")

FORBIDDEN_IN_FILE = re.compile(f"\r(?!\n)|[{_REFUSED_BUT_CR}]")
"""FORBIDDEN as it applies to a file's own text, whose lines may end with CR LF."""


def forbidden_character(text: str) -> re.Match[str] | None:
    """The first character text may not hold, if any."""
    return FORBIDDEN.search(text) if may_hold_unprintable(text) else None


def zero_width_character(text: str) -> re.Match[str] | None:
    """The first zero-width character in text, if any."""
    return ZERO_WIDTH.search(text) if may_hold_unprintable(text) else None


def may_hold_unprintable(text: str) -> bool:
    """Whether text holds a character Python calls unprintable, besides tab and line ends: every refused
    or warned-about character is one. str.isprintable runs in C, far faster than a regular expression
    of these characters, which is used only on text that fails this test."""
    return not (text.isprintable() or text.replace("\n", " ").replace("\t", " ").isprintable())


def describe_forbidden(character: str) -> str:
    """Why a refused character is refused, and what to do, in an editor's words."""
    code = f"U+{ord(character):04X}"
    if character == "\r":
        return f"carriage return {code} in the text; delete it (a line ends with a newline alone)"
    if unicodedata.category(character) == "Cc":
        return f"control character {code} in the text; delete it (it is invisible in most editors)"
    if _IS_BIDI.match(character):
        return (f"bidirectional control {code} in the text: it reorders the text around it, so a title can"
                " read backwards; delete it")
    if unicodedata.category(character) == "Cs":
        return f"lone surrogate {code} in the text, which is not a character; delete it"
    return f"noncharacter {code} in the text, which no text may hold; delete it"


def describe_zero_width(character: str) -> str:
    return (f"warning: invisible zero-width character U+{ord(character):04X} in the text; delete it unless it is"
            " meant (it splits words for search and for the quote check)")


def printable(text: str, keep: str = "") -> str:
    """text with every control, bidirectional, invisible and line-breaking character shown as an
    escape such as \\x1b or \\u202e, so that printing it cannot move the cursor, recolour or clear
    the terminal, reorder the line or start a new one. Characters in keep are left as they are."""
    return UNPRINTABLE.sub(lambda found: found.group() if found.group() in keep else _escape(found.group()), text)


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


YAML_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\v": "\\v", "\f": "\\f", "\r": "\\r",
                "\x1b": "\\e", "\x85": "\\N"}
"""YAML's one-letter escapes of refused characters."""


def written_at(character: str, text: str, start: int, end: int) -> int | None:
    """Where text[start:end] (a YAML value) writes character: as itself, or as an escape ("\\x01",
    "\\u202E", "\\0"); None if neither is found."""
    code = ord(character)
    written = re.compile(re.escape(character) + f"|\\\\(?i:x{code:02x}|u{code:04x}|U{code:08x})"
                         + (f"|{re.escape(YAML_ESCAPES[character])}" if character in YAML_ESCAPES else ""))
    found = written.search(text, start, end)
    return None if found is None else found.start()
