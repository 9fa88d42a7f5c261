"""CMake presets files as `perfproj adopt` needs them: read, rename, include.

A repository's own presets file is edited by inserting text, never by
re-serializing it: every existing byte stays where it was (CRLF line ends, a
BOM and comments included: CMake reads them, see jsonc.py), and the result is
checked to parse back to the old content plus the one addition. Only when the
text cannot be scanned is the file rewritten (2-space indent, its own line
ends), and then the same semantic check must pass; a file with comments is
never rewritten (they would be lost).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfproj.errors import PerfprojError
from perfproj.project import jsonc

KINDS = ("configurePresets", "buildPresets", "testPresets", "packagePresets", "workflowPresets")
INCLUDE_MIN_VERSION = 4  # the first presets schema with "include" (CMake 3.23)
PERFPROJ_SCHEMA = 6  # perfproj's own presets use workflow presets: CMake 3.25
SCHEMA_CMAKE = {2: (3, 20), 3: (3, 21), 4: (3, 23), 5: (3, 24), 6: (3, 25)}  # oldest CMake reading each

Json = dict[str, Any]


@dataclass
class PresetsFile:
    path: Path
    text: str
    data: Json

    @property
    def version(self) -> int:
        return int(self.data["version"])

    @property
    def includes(self) -> list[str]:
        return [str(item) for item in self.data.get("include", [])]

    def cmake_needed(self) -> tuple[int, int]:
        """The oldest CMake that reads this file: its schema's, or its cmakeMinimumRequired if higher."""
        needed = SCHEMA_CMAKE.get(self.version, (3, 25) if self.version > 6 else (3, 19))
        declared = self.data.get("cmakeMinimumRequired", {})
        stated = (int(declared.get("major", 0)), int(declared.get("minor", 0)))
        return max(needed, stated)


def parse(content: bytes, path: Path) -> PresetsFile:
    """Parse a presets file's bytes; one-line PerfprojError when CMake would not read it either."""
    try:
        text = content.decode("utf-8")  # no newline translation: CRLF stays CRLF
    except UnicodeDecodeError as error:
        raise PerfprojError(f"{path.name} is not UTF-8 text ({error.reason}); nothing was written") from error
    try:
        data = jsonc.loads(text)
    except json.JSONDecodeError as error:
        raise PerfprojError(
            f"{path.name} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "fix it first, nothing was written"
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("version"), int):
        raise PerfprojError(f"{path.name} is not a CMake presets file (no integer \"version\"); nothing was written")
    if not isinstance(data.get("include", []), list):
        raise PerfprojError(f"{path.name}: \"include\" is not a list; nothing was written")
    return PresetsFile(path, text, data)


def load(path: Path) -> PresetsFile:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise PerfprojError(f"cannot read {path}: {error.strerror}") from error
    return parse(content, path)


def names(data: Json) -> dict[str, set[str]]:
    """Preset names per kind (CMake requires them unique within a kind, across included files)."""
    return {kind: {str(p.get("name")) for p in data.get(kind, []) if isinstance(p, dict)} for kind in KINDS}


def collect_names(files: list[Path], skip: set[Path]) -> dict[str, set[str]]:
    """Names in `files` and everything they include (relative to each file), except `skip`."""
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    pending = [path.resolve() for path in files]
    seen = {path.resolve() for path in skip}
    while pending:
        path = pending.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        presets = load(path)
        for kind, kind_names in names(presets.data).items():
            found[kind] |= kind_names
        pending.extend((path.parent / include).resolve() for include in presets.includes)
    return found


def _rename_ref(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, list):
        return [mapping.get(item, item) if isinstance(item, str) else item for item in value]
    return value


def prefixed(data: Json, prefix: str) -> Json:
    """A copy where every preset name, and every reference to one, starts with `prefix`.

    A uniform prefix keeps the renaming one-to-one, so the presets stay
    distinct from each other; references are inherits (same kind),
    configurePreset (build/test/package) and workflow steps (by step type).
    """
    result = copy.deepcopy(data)
    mappings = {kind: {name: prefix + name for name in kind_names} for kind, kind_names in names(data).items()}
    step_kinds = {"configure": "configurePresets", "build": "buildPresets", "test": "testPresets",
                  "package": "packagePresets"}
    for kind in KINDS:
        for preset in result.get(kind, []):
            preset["name"] = mappings[kind][preset["name"]]
            if "inherits" in preset:
                preset["inherits"] = _rename_ref(preset["inherits"], mappings[kind])
            if "configurePreset" in preset:
                preset["configurePreset"] = _rename_ref(preset["configurePreset"], mappings["configurePresets"])
            for step in preset.get("steps", []):
                step["name"] = _rename_ref(step["name"], mappings[step_kinds[step["type"]]])
    return result


def dumps(data: Json) -> str:
    return json.dumps(data, indent=2) + "\n"


# ---- inserting an include into existing text ----

class _ScanError(ValueError):
    pass


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _skip_string(text: str, i: int) -> int:
    if text[i] != '"':
        raise _ScanError(f"string expected at {i}")
    i += 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    raise _ScanError("unterminated string")


def _skip_value(text: str, i: int) -> int:
    if text[i] == '"':
        return _skip_string(text, i)
    if text[i] in "{[":
        depth = 0
        while i < len(text):
            if text[i] == '"':
                i = _skip_string(text, i)
                continue
            if text[i] in "{[":
                depth += 1
            elif text[i] in "}]":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        raise _ScanError("unbalanced brackets")
    while i < len(text) and text[i] not in ",}] \t\r\n":
        i += 1
    return i


@dataclass
class _Span:
    key: str
    key_start: int
    value_start: int
    value_end: int


def _members(text: str, start: int, close: str) -> list[_Span]:
    """Members of the object (close='}') or elements of the array (close=']') opening at `start`."""
    spans: list[_Span] = []
    i = _skip_ws(text, start + 1)
    if text[i] == close:
        return spans
    while True:
        key, key_start = "", i
        if close == "}":
            end = _skip_string(text, i)
            key = json.loads(text[i:end])
            i = _skip_ws(text, end)
            if text[i] != ":":
                raise _ScanError(f"':' expected at {i}")
            i = _skip_ws(text, i + 1)
        value_end = _skip_value(text, i)
        spans.append(_Span(key, key_start, i, value_end))
        i = _skip_ws(text, value_end)
        if text[i] == close:
            return spans
        if text[i] != ",":
            raise _ScanError(f"',' expected at {i}")
        i = _skip_ws(text, i + 1)


def _leading_ws(text: str, position: int) -> str:
    """The line break and indentation before `position` (what an inserted member copies)."""
    start = position
    while start > 0 and text[start - 1] in " \t\r\n":
        start -= 1
    space = text[start:position]
    newline = space.rfind("\n")
    if newline < 0:
        return space
    return space[newline - 1:] if newline > 0 and space[newline - 1] == "\r" else space[newline:]


def _insertion(text: str, include: str) -> tuple[int, str]:
    """Where and what to insert so that `text` also includes `include`."""
    top = _skip_ws(text, 0)
    if text[top] != "{":
        raise _ScanError("not an object")
    members = _members(text, top, "}")
    item = json.dumps(include)
    by_key = {span.key: index for index, span in enumerate(members)}
    if "include" in by_key:
        span = members[by_key["include"]]
        elements = _members(text, span.value_start, "]")
        if not elements:
            return span.value_start + 1, item
        last = elements[-1]
        separator = _leading_ws(text, last.value_start) or " "
        return last.value_end, "," + separator + item
    anchor = by_key.get("cmakeMinimumRequired", by_key["version"])
    if anchor + 1 < len(members):  # before the next member, with that member's indentation
        following = members[anchor + 1]
        return following.key_start, f'"include": [{item}],' + _leading_ws(text, following.key_start)
    span = members[anchor]
    return span.value_end, "," + (_leading_ws(text, span.key_start) or " ") + f'"include": [{item}]'


def _without_addition(data: Json, include: str, had_include: bool) -> Json:
    stripped = copy.deepcopy(data)
    if had_include:
        stripped["include"] = [item for item in stripped["include"] if item != include]
    else:
        stripped.pop("include", None)
    return stripped


def with_include(presets: PresetsFile, include: str) -> str:
    """The file's text with `include` added; the old content is kept exactly (or, failing that, semantically)."""
    if include in presets.includes:
        return presets.text
    had_include = "include" in presets.data
    old = json.dumps(presets.data)
    blanked = jsonc.blank_out(presets.text)  # same positions, comments and BOM as spaces
    try:
        position, addition = _insertion(blanked, include)
        new_text = presets.text[:position] + addition + presets.text[position:]
        if json.dumps(_without_addition(jsonc.loads(new_text), include, had_include)) == old:
            return new_text
    except (_ScanError, IndexError, KeyError, ValueError):
        pass
    if blanked.lstrip(" ") != presets.text.lstrip(jsonc.BOM):
        raise PerfprojError(f"could not add an include to {presets.path.name} without losing its comments; "
                            f"add \"{include}\" to its \"include\" list by hand; nothing was written")
    # Text we cannot scan: rewrite it, and prove nothing else changed.
    data = copy.deepcopy(presets.data)
    if had_include:
        data["include"].append(include)
    else:
        data = {**{k: v for k, v in data.items() if k in ("version", "cmakeMinimumRequired")},
                "include": [include],
                **{k: v for k, v in data.items() if k not in ("version", "cmakeMinimumRequired")}}
    new_text = dumps(data)
    if "\r\n" in presets.text:
        new_text = new_text.replace("\n", "\r\n")
    if json.dumps(_without_addition(json.loads(new_text), include, had_include)) != old:
        raise PerfprojError(f"could not add an include to {presets.path.name} without changing it; nothing was written")
    return new_text


def new_file(include: str) -> str:
    """A root presets file holding only the include (what `perfproj new` projects have)."""
    data = {
        "version": PERFPROJ_SCHEMA,
        "cmakeMinimumRequired": {"major": 3, "minor": 25, "patch": 0},
        "include": [include],
    }
    return dumps(data)
