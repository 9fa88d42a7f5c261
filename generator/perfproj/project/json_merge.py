"""Three-way merge of CMake presets files that always yields valid JSON.

A text merge of CMakePresets.json conflicts on trivially compatible edits (a
comma on the line before both insertions) and leaves invalid JSON. This merge
works on the parsed documents instead:

  * objects merge key by key;
  * lists of objects with a "name" (configurePresets, buildPresets, ...) merge
    preset by preset, matched by name;
  * lists of plain values (include, inherits) merge as ordered sets: additions
    from both sides are kept, an item removed on one side and untouched on the
    other goes away;
  * anything else changed differently on both sides is a conflict: the user's
    value is kept and its path is reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

_MISSING: Any = object()  # a key or preset absent on one side


@dataclass
class JsonMerge:
    value: Any
    conflicts: list[str] = field(default_factory=list)  # JSON paths kept as the user had them


def is_presets_file(path: str) -> bool:
    """CMakePresets.json, CMakeUserPresets.json and perfproj's own presets files."""
    posix = PurePosixPath(path)
    return posix.name.endswith("Presets.json") or (
        posix.suffix == ".json" and posix.parent.as_posix().endswith("cmake/perfproj/presets")
    )


def _is_named_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) and "name" in item for item in value)


def _is_plain_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(item, (dict, list)) for item in value)


def _merge(base: Any, ours: Any, theirs: Any, where: str, conflicts: list[str]) -> Any:
    if ours == theirs or base == theirs:
        return ours  # same on both sides, or only the user changed it
    if base == ours:
        return theirs  # only the template changed it
    # Both sides changed it, differently: descend where the structure allows.
    if ours is not _MISSING and theirs is not _MISSING:
        if isinstance(ours, dict) and isinstance(theirs, dict) and (base is _MISSING or isinstance(base, dict)):
            return _merge_objects({} if base is _MISSING else base, ours, theirs, where, conflicts)
        base_list = [] if base is _MISSING else base
        if _is_named_list(ours) and _is_named_list(theirs) and _is_named_list(base_list):
            return _merge_named(base_list, ours, theirs, where, conflicts)
        if _is_plain_list(ours) and _is_plain_list(theirs) and _is_plain_list(base_list):
            return _merge_sets(base_list, ours, theirs)
    conflicts.append(where or "/")
    return ours  # a true conflict: the user's value (or deletion) wins


def _merge_objects(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any], where: str,
                   conflicts: list[str]) -> dict[str, Any]:
    merged = {}
    keys = list(ours) + [key for key in theirs if key not in ours]
    for key in keys:
        value = _merge(base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING),
                       f"{where}/{key}", conflicts)
        if value is not _MISSING:
            merged[key] = value
    return merged


def _merge_named(base: list[Any], ours: list[Any], theirs: list[Any], where: str,
                 conflicts: list[str]) -> list[Any]:
    by_name = [{item["name"]: item for item in side} for side in (base, ours, theirs)]
    names = [item["name"] for item in ours] + [item["name"] for item in theirs if item["name"] not in by_name[1]]
    merged = []
    for name in names:
        base_item, our_item, their_item = (side.get(name, _MISSING) for side in by_name)
        value = _merge(base_item, our_item, their_item, f"{where}[{name}]", conflicts)
        if value is not _MISSING:
            merged.append(value)
    return merged


def _merge_sets(base: list[Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
    removed = {json.dumps(item) for item in base} - {json.dumps(item) for item in theirs}
    kept = [item for item in ours if json.dumps(item) not in removed]
    known = {json.dumps(item) for item in base} | {json.dumps(item) for item in kept}
    return kept + [item for item in theirs if json.dumps(item) not in known]


def merge_values(base: Any, ours: Any, theirs: Any) -> JsonMerge:
    conflicts: list[str] = []
    value = _merge(_MISSING if base is None else base, ours, theirs, "", conflicts)
    return JsonMerge(value, conflicts)


def merge_documents(base: bytes | None, ours: bytes, theirs: bytes) -> JsonMerge | None:
    """Merge three presets documents; None when one side is not valid JSON (merge as text)."""
    try:
        parsed_base = json.loads(base) if base else None
        parsed_ours = json.loads(ours)
        parsed_theirs = json.loads(theirs)
    except ValueError:
        return None
    return merge_values(parsed_base, parsed_ours, parsed_theirs)


def dump(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
