"""`perfproj org init`: an organisation's own copy of the template, defaults baked in.

The result is a plain cookiecutter template (what perfproj stages for itself:
template/ plus the modules and presets, with the hooks), so teams can use it
with `perfproj new --template URL` or with plain `cookiecutter URL`, and get
the same project either way. Its hooks are byte-identical to perfproj's own,
which is what lets perfproj run it without --trust (see templates/source.py).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from perfproj import __version__, git
from perfproj.changes import Plan
from perfproj.changes.apply import apply, check_destination
from perfproj.changes.confined import Tree
from perfproj.changes.plan import creations
from perfproj.changes.scratch import temp_dir
from perfproj.errors import UsageError
from perfproj.templates import answers
from perfproj.templates.render import read_template_config
from perfproj.templates.source import stage_builtin_template

README = """\
# {name}: our C++ project template

Made with `perfproj org init` (perfproj {version}). It is a cookiecutter
template: perfproj's project template with this organisation's defaults.

## Using it (teams)

    perfproj new myservice --template {url}
    # or, without perfproj installed:
    cookiecutter {url}

Both give the same project for the same answers. To make it the default for
everybody, put it in each machine's perfproj config
(`~/.config/perfproj/config.yaml`, or the file named by `$PERFPROJ_CONFIG`):

    template: {url}
    # checkout: stable      # a branch or tag to follow

Projects made from it pick up later commits of this repository with
`perfproj update` (it follows the branch recorded at `new --checkout`).

## Customising it (template owners)

- Defaults: `cookiecutter.json`. For a list (a choice) the first entry is the
  default. Current defaults: {defaults}.
- Files: everything under `{{{{cookiecutter.project_name}}}}/` is rendered with
  Jinja for each new project. `cmake/perfproj/` (modules and presets) and
  `.github/workflows/` are copied as they are.
- `cmake/perfproj/` is perfproj's own code. Prefer putting your presets in
  `CMakePresets.json` (they can inherit perfproj's) over editing perfproj's
  presets file, so perfproj upgrades merge cleanly.
- Hooks (`hooks/`): these are perfproj's own, so perfproj runs the template
  without `--trust`. Once you change a hook, every `perfproj new`/`update`
  needs `--trust` (cookiecutter always runs hooks).
- New perfproj release: run `perfproj org init` again into a fresh folder
  with the same defaults and merge the difference into this repository.

Commit, tag a release if you like (`--checkout v2`), and push.
"""


@dataclass
class OrgRequest:
    directory: Path
    defaults: dict[str, str] = field(default_factory=dict)  # from --config-file and flags
    use_git: bool = True


def bake_defaults(config: "OrderedDict[str, object]", defaults: dict[str, str]) -> "OrderedDict[str, object]":
    """cookiecutter.json with `defaults` as the new defaults (a choice moves to the front)."""
    baked: "OrderedDict[str, object]" = OrderedDict(config)
    for key, value in defaults.items():
        if key.startswith("_") or key not in baked:
            raise UsageError(f"the template has no question {key!r}")
        current = baked[key]
        if isinstance(current, list):
            choices = [str(choice) for choice in current]
            if value not in choices:
                raise UsageError(f"{key} must be one of {', '.join(choices)}, not {value!r}")
            baked[key] = [value] + [choice for choice in choices if choice != value]
        else:
            problems = answers.field_problems(key, value)
            if problems:
                raise UsageError(problems[0])
            baked[key] = value
    return baked


def _shown(config: "OrderedDict[str, object]") -> str:
    parts = []
    for key, value in config.items():
        if not key.startswith("_"):
            parts.append(f"{key}={value[0] if isinstance(value, list) else value}")
    return ", ".join(parts)


def plan(request: OrgRequest) -> Plan:
    """The org template's files: perfproj's template with its hooks, the defaults baked in, a README."""
    final = request.directory.absolute()
    check_destination(final)
    if request.use_git:
        git.require_git()
    with temp_dir("org") as work:
        template = stage_builtin_template(work / "template", with_hooks=True)
        config = bake_defaults(read_template_config(template), request.defaults)
        (template / "cookiecutter.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        readme = README.format(name=final.name, version=__version__, url=f"<url-of-{final.name}>",
                               defaults=_shown(config))
        (template / "README.md").write_text(readme, encoding="utf-8")
        with Tree(template) as tree:
            files = tree.read_all()
    message = f"Org template from perfproj {__version__}"
    finish = (lambda root: git.init_and_commit(root, message)) if request.use_git else None
    return Plan("org init", final, creations(files), new_root=True, finish=finish)


def run(request: OrgRequest) -> Path:
    """Write the org template to request.directory (all or nothing); return its path."""
    org_plan = plan(request)
    apply(org_plan)
    return org_plan.root
