"""Every command the README shows works as written (issue 18): each make target exists, and each
manage.py command starts in development mode (what the .env that `make run` writes gives it)."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].split(" > ")[0].strip()
            if command:
                yield command


COMMANDS = list(readme_commands())


def test_the_readme_shows_commands():
    assert "make run" in COMMANDS and "make moderator" in COMMANDS
    assert any("manage.py import_wordpress" in command for command in COMMANDS)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith("make ")])
def test_each_make_target_of_the_readme_exists(command):
    words = shlex.split(command)
    make = shutil.which("make") or "/usr/bin/make"
    result = subprocess.run([make, "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", [c for c in COMMANDS if "manage.py" in c])
def test_each_manage_py_command_of_the_readme_starts_in_development(command):
    name = shlex.split(command)[shlex.split(command).index("manage.py") + 1]
    inherited = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "COMMENTS_"))}
    env = inherited | {"DJANGO_DEBUG": "1"}  # what .env says after `make run`
    result = subprocess.run(
        [sys.executable, "manage.py", name, "--help"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
