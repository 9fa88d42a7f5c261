"""Rendering a cookiecutter template: in memory, in a Jinja sandbox, paths confined.

perfproj renders templates itself instead of calling cookiecutter's
generate_files, for two reasons:

- safety: cookiecutter renders with a plain Jinja environment, where an
  expression such as `cycler.__init__.__globals__.os` reaches Python's `os`
  and runs commands. Here every template (the built-in one included) renders
  in Jinja's SandboxedEnvironment, which refuses that attribute traversal;
  `--trust` does not lift the sandbox (it allows hooks and extensions).
- plan, then apply: the result is a mapping path -> (bytes, mode) that the
  change pipeline writes or diffs; nothing touches the disk here. Every
  rendered path must stay a plain relative path inside the project.

It follows cookiecutter's rules, so plain `cookiecutter` makes the same tree
from the same answers (tests/unit/test_template.py checks it):

- the one folder whose name holds `{{ cookiecutter.* }}` is the project;
- folder and file names are rendered; a file whose name renders empty is skipped;
- `_copy_without_render` globs, matched against the unrendered relative
  path, copy a folder whole (its name not rendered) or a file unrendered;
- binary files are copied; text is rendered with StrictUndefined, the
  trailing newline kept, and written with the template file's line ends;
- each file keeps the template file's permission bits.

Empty folders are not reproduced (the plan holds files; git keeps no empty
folders either).
"""

from __future__ import annotations

import fnmatch
import json
import os
import stat
from collections import OrderedDict
from pathlib import Path
from typing import Any, Mapping

from binaryornot.check import is_binary
from cookiecutter.environment import ExtensionLoaderMixin
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from perfproj.changes.confined import is_plain_relative
from perfproj.changes.plan import FileData
from perfproj.errors import PerfprojError, UsageError


Rendered = dict[str, FileData]  # relative POSIX path in the project -> bytes and mode


class _SandboxedCookiecutterEnvironment(ExtensionLoaderMixin, SandboxedEnvironment):  # type: ignore[misc]
    """cookiecutter's StrictEnvironment (its default extensions, StrictUndefined), sandboxed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(undefined=StrictUndefined, **kwargs)


def environment(context: Mapping[str, Any], trusted: bool = False) -> SandboxedEnvironment:
    """The Jinja environment for a template; its `_extensions` load only when `trusted`."""
    cookiecutter = dict(context.get("cookiecutter", {}))
    if not trusted:
        cookiecutter.pop("_extensions", None)
    env: SandboxedEnvironment = _SandboxedCookiecutterEnvironment(
        context={"cookiecutter": cookiecutter}, keep_trailing_newline=True)
    return env


def read_template_config(template_dir: Path) -> "OrderedDict[str, object]":
    path = template_dir / "cookiecutter.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=OrderedDict)
    except (OSError, ValueError) as error:
        raise UsageError(f"{path} is not a readable cookiecutter.json: {error}") from error
    if not isinstance(data, OrderedDict):
        raise UsageError(f"{path} must hold a JSON object")
    return data


def project_template_dir(template_dir: Path) -> Path:
    """The templated project folder inside a template, e.g. {{cookiecutter.project_name}}."""
    candidates = [p for p in template_dir.iterdir()
                  if p.is_dir() and not p.is_symlink() and "{{" in p.name and "}}" in p.name]
    if len(candidates) != 1:
        raise PerfprojError(f"{template_dir} must contain exactly one templated project folder")
    return candidates[0]


def template_context(template_dir: Path, answers: Mapping[str, str]) -> "OrderedDict[str, Any]":
    """cookiecutter.json with the final answers, as templates see it (`cookiecutter.*`)."""
    context: "OrderedDict[str, Any]" = OrderedDict()
    for key, value in read_template_config(template_dir).items():
        context[key] = answers.get(key, value)
    context["_template"] = str(template_dir)
    return context


class _Renderer:
    def __init__(self, template_dir: Path, context: "OrderedDict[str, Any]", trusted: bool) -> None:
        self.source = project_template_dir(template_dir)
        self.context = {"cookiecutter": context}
        self.env = environment(self.context, trusted)
        self.env.loader = FileSystemLoader(str(self.source))
        patterns = context.get("_copy_without_render", [])
        self.copy_only = [str(pattern) for pattern in patterns] if isinstance(patterns, list) else []
        self.files: Rendered = {}

    def _render_string(self, text: str, where: str) -> str:
        try:
            return str(self.env.from_string(text).render(**self.context))
        except SecurityError as error:
            raise _sandbox_error(where, error) from error
        except TemplateError as error:
            raise PerfprojError(f"cannot render the template's name {where!r}: {error}") from error

    def _path(self, relative: str, rendered: bool = True) -> str | None:
        """The project path for a template path; None when its name renders empty."""
        path = self._render_string(relative, relative) if rendered else relative
        if path.endswith("/") or path.split("/")[-1] == "":
            return None
        if not is_plain_relative(path):
            raise PerfprojError(f"the template names a file {relative!r} that renders to {path!r}, "
                                "which is not a path inside the project; nothing was written")
        return path

    def _is_copy_only(self, relative: str) -> bool:
        return any(fnmatch.fnmatch(relative, pattern) for pattern in self.copy_only)

    def _add(self, path: str, content: bytes, mode: int) -> None:
        if path in self.files:
            raise PerfprojError(f"two files of the template render to the same path {path!r}")
        self.files[path] = FileData(content, mode)

    def _copy(self, source: Path, relative: str, rendered_name: bool) -> None:
        path = self._path(relative, rendered_name)
        if path is not None:
            self._add(path, source.read_bytes(), stat.S_IMODE(source.stat().st_mode))

    def _render_file(self, source: Path, relative: str) -> None:
        path = self._path(relative)
        if path is None:
            return
        if is_binary(str(source)):
            self._add(path, source.read_bytes(), stat.S_IMODE(source.stat().st_mode))
            return
        try:
            text = str(self.env.get_template(relative).render(**self.context))
        except SecurityError as error:
            raise _sandbox_error(relative, error) from error
        except TemplateError as error:
            raise PerfprojError(f"cannot render the template file {relative}: {error}") from error
        with open(source, encoding="utf-8", newline="") as stream:
            stream.readline()
            newline = stream.newlines if isinstance(stream.newlines, str) else "\n"
        newline = str(self.context["cookiecutter"].get("_new_lines") or newline)
        self._add(path, text.replace("\n", newline).encode("utf-8"), stat.S_IMODE(source.stat().st_mode))

    def render(self) -> Rendered:
        for root, dirs, files in os.walk(self.source):
            base = Path(root).relative_to(self.source).as_posix()
            prefix = "" if base == "." else base + "/"
            for name in sorted(dirs):
                if self._is_copy_only(prefix + name):
                    dirs.remove(name)
                    folder = Path(root) / name
                    for file in sorted(folder.rglob("*")):
                        if file.is_file():
                            self._copy(file, f"{prefix}{name}/{file.relative_to(folder).as_posix()}", False)
            dirs.sort()
            for name in sorted(files):
                relative = prefix + name
                if self._is_copy_only(relative):
                    self._copy(Path(root) / name, relative, True)
                else:
                    self._render_file(Path(root) / name, relative)
        return self.files


def _sandbox_error(where: str, error: SecurityError) -> PerfprojError:
    return PerfprojError(f"the template reaches into Python internals in {where} ({error}); perfproj renders "
                         "templates in a sandbox, so nothing was rendered or run")


def project_name(template_dir: Path, context: "OrderedDict[str, Any]") -> str:
    """The project folder's rendered name (what plain cookiecutter would create)."""
    renderer = _Renderer(template_dir, context, trusted=False)
    name = renderer._render_string(renderer.source.name, renderer.source.name)
    if not is_plain_relative(name) or "/" in name:
        raise PerfprojError(f"the template's project folder renders to {name!r}, which is not a plain name")
    return name


def render(template_dir: Path, answers: Mapping[str, str], trusted: bool = False) -> Rendered:
    """Every file of the project `template_dir` makes with `answers`, in memory."""
    return _Renderer(template_dir, template_context(template_dir, answers), trusted).render()
