"""Templates: where they come from, which answers they get, and how they render.

source.py        stage a template (built in, a folder, a git URL) and decide what needs --trust
answers.py       the template's questions and how each answer is decided
config_files.py  answer files (--config-file) and the YAML loading the user configs share
user_config.py   defaults from the perfproj and cookiecutter user configs
render.py        render a template in memory, in a Jinja sandbox, paths confined
rules.py         perfproj's own hooks (answer checks, per-kind pruning), applied in-process
hooks.py         a trusted foreign template's hooks, run as cookiecutter runs them
generate.py      staged template + answers -> the project's files
"""
