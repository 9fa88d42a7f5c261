"""JSON as CMake's presets reader takes it: a UTF-8 BOM, CRLF, comments, trailing commas.

CMake 3.25 reads presets with jsoncpp, which accepts `//` and `/* */`
comments and a comma before a closing bracket; Python's json does not.
`blank_out` replaces each of those (and a leading BOM) with spaces of the same
length, newlines kept, so the result parses with json and every position in
it is the same position in the original text: an edit found in the blanked
text applies to the original bytes unchanged.
"""

from __future__ import annotations

import json
from typing import Any

BOM = "\ufeff"


def _blank(text: str, start: int, end: int, chars: list[str]) -> None:
    for index in range(start, end):
        if chars[index] not in "\r\n":
            chars[index] = " "


def blank_out(text: str) -> str:
    """`text` with the BOM, comments and trailing commas turned into spaces (same length)."""
    chars = list(text)
    if text.startswith(BOM):
        chars[0] = " "
    index = 0
    last_comma = -1  # position of a comma not yet followed by a value
    while index < len(text):
        char = text[index]
        if char == '"':
            index += 1
            while index < len(text) and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
            last_comma = -1
        elif text.startswith("//", index):
            end = text.find("\n", index)
            end = len(text) if end < 0 else end
            _blank(text, index, end, chars)
            index = end
            continue
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = len(text) if end < 0 else end + 2
            _blank(text, index, end, chars)
            index = end
            continue
        elif char == ",":
            last_comma = index
        elif char in "}]":
            if last_comma >= 0:
                chars[last_comma] = " "  # a trailing comma
            last_comma = -1
        elif not char.isspace() and char != BOM:
            last_comma = -1
        index += 1
    return "".join(chars)


def loads(text: str) -> Any:
    """Parse what CMake's presets reader accepts; ValueError (json.JSONDecodeError) otherwise."""
    return json.loads(blank_out(text))
