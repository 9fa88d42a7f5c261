"""The perfproj command line: thin click commands over perfproj.commands.

Exit codes: 0 success, 1 failure, 2 usage error. Every error, from perfproj
or from the operating system, is one line on stderr (main() is the one
handler). Every command first removes the scratch folders of killed runs.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Sequence

import click

from perfproj import __version__
from perfproj.changes import scratch, signals
from perfproj.errors import PerfprojError, os_error_text

if TYPE_CHECKING:
    from perfproj.templates.answers import Question

PROMPTS = {
    "project_name": "Project name",
    "description": "One-line description",
    "kind": "Kind (app+lib: library and app; app: app only; lib: library only)",
    "cxx_standard": "C++ standard",
    "namespace": "C++ namespace",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="perfproj")
def cli() -> None:
    """perfproj: C++ projects with builds tuned the way performance engineers tune them."""
    scratch.sweep_temp()


def _note(text: str) -> None:
    click.echo(text, err=True)


def _prompter(question: Question, default: str) -> str:
    from perfproj.templates import answers

    label = PROMPTS.get(question.key, question.key)
    if question.choices:
        return str(click.prompt(label, default=default, type=click.Choice(question.choices)))

    def check(value: str) -> str:
        problems = answers.field_problems(question.key, value)
        if problems:
            raise click.BadParameter(problems[0])
        return value

    return str(click.prompt(label, default=default, value_proc=check))


@cli.command()
@click.argument("name", required=False)
@click.option(
    "-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="Directory to create the project in.",
)
@click.option("--kind", type=click.Choice(["app+lib", "app", "lib"]), help="What to build [app+lib].")
@click.option("--cxx-standard", type=click.Choice(["17", "20", "23"]), help="C++ standard [20].")
@click.option("--namespace", help="C++ namespace [NAME with - as _].")
@click.option("--description", help="One-line project description.")
@click.option(
    "--config-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML/JSON answers (cookiecutter's default_context format or a flat mapping).",
)
@click.option("--no-input", is_flag=True, help="Never prompt; unanswered questions take their default.")
@click.option("--no-git", is_flag=True, help="Do not run git init and the first commit.")
@click.option(
    "--template", "template_spec", metavar="PATH|GIT-URL",
    help="Render this cookiecutter template instead of the built-in one (e.g. your org's).",
)
@click.option("--checkout", metavar="REF", help="Branch, tag or commit of a git --template.")
@click.option("--trust", is_flag=True,
              help="Allow a --template's own hooks, Jinja _extensions and symbolic links (see docs/safety.md).")
def new(
    name: str | None, output_dir: Path, kind: str | None, cxx_standard: str | None,
    namespace: str | None, description: str | None, config_file: Path | None,
    no_input: bool, no_git: bool, template_spec: str | None, checkout: str | None, trust: bool,
) -> None:
    """Create the C++ project NAME.

    Answers come from the options, then --config-file, then prompts on a
    terminal (or the defaults with --no-input). Prompt defaults come from the
    perfproj config ($PERFPROJ_CONFIG or ~/.config/perfproj/config.yaml), then
    cookiecutter's (~/.cookiecutterrc), then the template.
    """
    from perfproj.commands.new import NewRequest, run

    flags = {
        key: value
        for key, value in {
            "kind": kind, "cxx_standard": cxx_standard, "namespace": namespace,
            "description": description,
        }.items()
        if value is not None
    }
    interactive = not no_input and sys.stdin.isatty()
    request = NewRequest(output_dir, name, flags, config_file, use_git=not no_git,
                         template=template_spec, checkout=checkout, trust=trust)
    result = run(request, _prompter if interactive else None)
    for note in result.notes:
        _note(f"perfproj: {note}")
    kind_text = result.answers.get("kind", "")
    click.echo(f"Created {result.path} ({kind_text}, C++{result.answers.get('cxx_standard', '?')})")
    click.echo("Next:")
    click.echo(f"  cd {shlex.quote(str(result.path))}")
    click.echo("  cmake --workflow --preset release")
    if kind_text != "lib":
        click.echo(f"  ./build/release/{result.answers['project_name']}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON instead of a table.")
def doctor(as_json: bool) -> None:
    """Check the compilers, LTO, LLVM tools, caches, profilers, BOLT, CMake and the CPU level.

    Exits 0 when the essentials are here (CMake >= 3.25, Ninja, a C++ compiler
    whose LTO works), 1 otherwise. Missing optional tools are warnings, each
    with the Debian package that provides it.
    """
    from perfproj.commands import doctor as doctor_checks

    report = doctor_checks.run_checks()
    click.echo(doctor_checks.render_json(report) if as_json else doctor_checks.render_table(report))
    sys.exit(0 if report.ok else 1)


@cli.command()
@click.argument("preset")
@click.option(
    "--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The project directory (with its CMakePresets.json).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-D", "defines", metavar="NAME=VALUE", multiple=True,
              help="A cache value on top of the preset (repeatable), e.g. -D PERFPROJ_ALLOCATOR=mimalloc; "
                   "what it changes is shown too.")
def explain(preset: str, project: Path, as_json: bool, defines: tuple[str, ...]) -> None:
    """Show the compile and link flags PRESET really produces.

    Configures the project into a temporary directory (removed afterwards; the
    project's build/ is untouched) and reads the CMake File API: per language
    the compiler, the flags common to the project's targets and each target's
    extras; the link flags of executables and shared libraries; the PERFPROJ_*
    cache values. An unknown preset exits 2, a failed configure 1.
    """
    from perfproj.commands import explain as explain_preset

    overrides = {}
    for define in defines:
        name, equals, value = define.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"{define!r} is not NAME=VALUE", param_hint="-D")
        overrides[name.split(":", 1)[0] if ":" in name else name] = value
    explanation = explain_preset.explain(preset, project, overrides)
    click.echo(explain_preset.render_json(explanation) if as_json else explain_preset.render_text(explanation))


@cli.command()
@click.argument("name")
@click.option("--preset", metavar="PRESET", help="The build to look at [release; perfproj-release when adopted].")
@click.option("--diff", metavar="PRESET2", help="Show PRESET2's build of the function side by side.")
@click.option("--mca", is_flag=True, help="Run llvm-mca on the function for the build's CPU level.")
@click.option("--mcpu", metavar="CPU", help="The CPU model for --mca (default: from PERFPROJ_ARCH).")
@click.option("--regex", is_flag=True, help="NAME is a regular expression, not a substring.")
@click.option("--binary", metavar="TEXT", help="Look only in binaries whose path (in the build folder) has TEXT.")
@click.option("--intel", is_flag=True, help="Intel syntax instead of AT&T.")
@click.option("--no-source", is_flag=True, help="Leave the source lines out.")
@click.option("--no-build", is_flag=True, help="Use the build folder as it is; do not configure and build.")
@click.option(
    "--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The project directory (with its CMakePresets.json).",
)
def asm(name: str, preset: str | None, diff: str | None, mca: bool, mcpu: str | None, regex: bool,
        binary: str | None, intel: bool, no_source: bool, no_build: bool, project: Path) -> None:
    """Print the machine code of the function NAME as a preset really built it.

    NAME is part of the demangled name (`fingerprint`, `app::run_cli(`). The
    preset is configured and built first (incrementally), so the code is what
    LTO, PGO and the CPU level made of it. Source lines appear between the
    instructions where the build has debug info (the release presets keep it).
    A function the optimizer inlined everywhere is shown as its copies inside
    its callers. Several matching functions are listed, and the command exits 2.

    \b
    perfproj asm fingerprint --preset release-v3
    perfproj asm fingerprint --preset release --diff release-v3
    perfproj asm fingerprint_kernel --preset release-v3 --mca
    """
    from perfproj.commands import asm as show_asm
    from perfproj.inspect.locate import Ambiguous

    request = show_asm.AsmRequest(name, project, preset, diff, mca, mcpu, regex, binary, intel, not no_source,
                                  not no_build)
    try:
        show_asm.run(request, click.echo)
    except Ambiguous as error:
        click.echo(f"Functions matching {name!r}:")
        for candidate in error.candidates[:show_asm.MAX_LISTED]:
            click.echo(f"  {candidate}")
        if len(error.candidates) > show_asm.MAX_LISTED:
            click.echo(f"  ... and {len(error.candidates) - show_asm.MAX_LISTED} more")
        raise


@cli.command()
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=Path("."))
@click.option("--dry-run", is_flag=True, help="Print what would change, with a unified diff; write nothing.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when an update is available, 0 otherwise.")
@click.option("--allow-dirty", is_flag=True, help="Update even with uncommitted changes in the git tree.")
@click.option("--trust", is_flag=True,
              help="Allow the template's own hooks, Jinja _extensions and symbolic links (see docs/safety.md).")
def update(path: Path, dry_run: bool, check: bool, allow_dirty: bool, trust: bool) -> None:
    """Bring the project at PATH to the installed perfproj (or its template's newest revision).

    Files you never edited are replaced, files you edited are merged three
    ways (presets key by key; text with conflict markers), files you deleted
    stay deleted. Exits 1 when conflicts remain to resolve.
    """
    from perfproj.commands import update as updating

    sys.exit(updating.run(path, dry_run=dry_run, check=check, allow_dirty=allow_dirty, trust=trust,
                          echo=click.echo, report=_note))


@cli.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--modules-dir", metavar="DIR", help="Folder for the CMake modules, inside PATH [cmake/perfproj].")
@click.option("--preset-prefix", metavar="PREFIX",
              help="Prefix of perfproj's preset names [none, or 'perfproj-' when the repo's names collide].")
@click.option("--presets-file", type=click.Choice(["auto", "CMakePresets.json", "CMakeUserPresets.json"]),
              default="auto", show_default=True,
              help="Which presets file includes perfproj's (auto: CMakePresets.json unless that would "
                   "make it need a newer CMake).")
@click.option("--allow-dirty", is_flag=True, help="Adopt even with uncommitted changes in the git tree.")
@click.option("--dry-run", is_flag=True, help="Print a unified diff of every file it would write; write nothing.")
def adopt(path: Path, modules_dir: str | None, preset_prefix: str | None, presets_file: str,
          allow_dirty: bool, dry_run: bool) -> None:
    """Bring perfproj's presets and CMake modules into the CMake repository PATH.

    Its CMakeLists.txt is not edited: the modules are copied to one folder,
    perfproj's presets file is included from CMakePresets.json (created if
    absent) and loads the modules through CMAKE_PROJECT_TOP_LEVEL_INCLUDES.
    Existing files are kept; a second run changes nothing. See docs/adopt.md.
    """
    from perfproj.commands import adopt as adopt_repo

    request = adopt_repo.AdoptRequest(path, modules_dir, preset_prefix, presets_file, allow_dirty or dry_run)
    adopt_plan = adopt_repo.run(request, dry_run, click.echo, _note)
    for line in adopt_repo.summary(adopt_plan, dry_run):
        click.echo(line)


@cli.command()
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=Path("."))
@click.option("--workload", metavar="CMD",
              help="What to time: a shell command ({build} is the candidate's build folder). "
                   "Default: the project's benchmarks.")
@click.option("--train-command", metavar="CMD",
              help="What PGO trains on (default: the tests labelled pgo-training). Keep it apart from the workload.")
@click.option("--check", metavar="CMD",
              help="Must pass for every candidate ({build} as above). Default: the build's tests.")
@click.option("--output-varies", is_flag=True,
              help="The workload prints run-dependent output (timings): do not require identical output.")
@click.option("--candidates", metavar="SPEC",
              help='Narrow the candidates, e.g. "compiler=gcc,clang-14;opt=lto,pgo;arch=portable;alloc=system".')
@click.option("--budget", metavar="TIME", help="Bound the wall time, e.g. 30m or 1h30m.")
@click.option("--rounds", type=int,
              help="Timing rounds per stage, at most (default 24; a decided stage stops sooner, after 7 at the least).")
@click.option("--exhaustive", is_flag=True,
              help="Measure every combination together instead of the staged search (slow: the yardstick).")
@click.option("--dry-run", is_flag=True, help="Print the plan and its estimated time; build nothing.")
@click.option("--allow-dirty", is_flag=True, help="Tune even with uncommitted changes in the git tree.")
def tune(path: Path, workload: str | None, train_command: str | None, check: str | None, output_varies: bool,
         candidates: str | None, budget: str | None, rounds: int | None, exhaustive: bool, dry_run: bool,
         allow_dirty: bool) -> None:
    """Measure candidate builds on the project's own workload and keep the fastest.

    Candidates: each compiler with LTO, PGO+LTO, PGO+LTO+BOLT, portable or
    x86-64-v3, each installed allocator; searched in stages (compiler x PGO,
    then arch, BOLT, allocator), each candidate checked to compute what the
    plain build computes. A candidate wins only when it is significantly faster
    than the simpler one. The table goes to .perfproj/tune/, the winner to a
    `tuned` preset: `cmake --workflow --preset tuned` rebuilds it. See docs/tune.md.
    """
    from perfproj.commands import tune as tuning

    request = tuning.TuneRequest(path, workload, train_command, check, output_varies, candidates, budget,
                                 rounds, exhaustive, dry_run, allow_dirty)
    sys.exit(tuning.run(request, click.echo, _note))


@cli.group()
def org() -> None:
    """An organisation's own template: perfproj's, with the org's defaults."""


@org.command("init")
@click.argument("directory", type=click.Path(file_okay=True, path_type=Path))
@click.option(
    "--config-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML/JSON defaults to bake in (cookiecutter's default_context format or a flat mapping).",
)
@click.option("--kind", type=click.Choice(["app+lib", "app", "lib"]), help="Default kind.")
@click.option("--cxx-standard", type=click.Choice(["17", "20", "23"]), help="Default C++ standard.")
@click.option("--namespace", help="Default C++ namespace (else the project name with - as _).")
@click.option("--description", help="Default one-line description.")
@click.option("--no-input", is_flag=True, help="Never prompt; defaults not given stay perfproj's.")
@click.option("--no-git", is_flag=True, help="Do not run git init and the first commit.")
def org_init(directory: Path, config_file: Path | None, kind: str | None, cxx_standard: str | None,
             namespace: str | None, description: str | None, no_input: bool, no_git: bool) -> None:
    """Write a ready template repository to DIRECTORY with the org's defaults baked in.

    Defaults come from the options, then --config-file, then prompts on a
    terminal (perfproj's own defaults pre-filled; --no-input takes them).
    Teams then run `perfproj new NAME --template URL` or plain
    `cookiecutter URL`; both give the same project. See docs/org-template.md.
    """
    from perfproj import resources
    from perfproj.commands import org as org_template
    from perfproj.templates import answers, config_files

    defaults = config_files.read_answers(config_file) if config_file else {}
    flags = {"kind": kind, "cxx_standard": cxx_standard, "namespace": namespace, "description": description}
    defaults.update({key: value for key, value in flags.items() if value is not None})
    if not no_input and sys.stdin.isatty():
        for question in answers.template_questions(resources.data_dir("template")):
            # The namespace follows each project's name unless given; the name is per project.
            if question.key not in defaults and question.key not in ("project_name", "namespace"):
                defaults[question.key] = _prompter(question, question.default)
    path = org_template.run(org_template.OrgRequest(directory, defaults, use_git=not no_git))
    click.echo(f"Created the org template {path}")
    click.echo("Try it:")
    click.echo(f"  perfproj new myproject --template {shlex.quote(str(path))}")
    click.echo("Then push it; teams pass its git URL to --template, or set it once in their perfproj config.")


def _usage_text(error: click.UsageError) -> str:
    """click's message as one sentence ("No such option: --x Did you mean --y?" runs two together)."""
    if isinstance(error, click.NoSuchOption):
        text = f"no such option {error.option_name}"
        if error.possibilities:
            text += f"; did you mean {' or '.join(sorted(error.possibilities))}?"
        return text
    return error.format_message().rstrip(".")


def _fail(message: str, code: int, command: str = "perfproj") -> NoReturn:
    text = " ".join(message.split())  # always one line
    click.echo(f"{command}: error: {text}", err=True)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    try:
        with signals.interruptible():
            code = cli.main(args=list(argv) if argv is not None else None, prog_name="perfproj",
                            standalone_mode=False)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "perfproj"
        _fail(f"{_usage_text(error)} (see '{command} --help')", 2, command)
    except click.ClickException as error:
        _fail(error.format_message(), 1)
    except (click.Abort, KeyboardInterrupt):
        _fail("interrupted; nothing was written", 1)
    except PerfprojError as error:
        _fail(str(error), error.exit_code)
    except OSError as error:
        _fail(os_error_text(error), 1)
    sys.exit(code if isinstance(code, int) else 0)
