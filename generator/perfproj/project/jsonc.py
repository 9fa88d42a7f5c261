"""JSON as CMake's presets reader takes it: a UTF-8 BOM, CRLF line ends, comments.

CMake 3.25 reads presets with jsoncpp, which accepts `//` and `/* */`
comments and a leading BOM; Python's json accepts neither. (Trailing commas
CMake refuses, and so does this.) `blank_out` replaces comments and the BOM
with spaces of the same length, newlines kept, so the result parses with json
and every position in it is the same position in the original text: an edit
found in the blanked text applies to the original bytes unchanged.
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
    """`text` with the BOM and comments turned into spaces (same length, line ends kept)."""
    chars = list(text)
    if text.startswith(BOM):
        chars[0] = " "
    index = 0
    while index < len(text):
        if text[index] == '"':
            index += 1
            while index < len(text) and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
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
        index += 1
    return "".join(chars)


def loads(text: str) -> Any:
    """Parse what CMake's presets reader accepts; ValueError (json.JSONDecodeError) otherwise."""
    return json.loads(blank_out(text))
