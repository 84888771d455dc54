"""The README's command-line tour works as written right after ``make run``.

``make run`` keeps a secret key in the data directory and seeds the demo; the commands a reader
then types (``.venv/bin/lodestar ...``, without any environment of their own) must find that
key and that data. This runs each command of the README's "The command line" block in a fresh
process, the way ``make run`` left things: a data directory with ``secret_key`` and the demo.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
NEW_PASSWORD = "a-long-and-unusual-passphrase"


def _readme_commands() -> list[list[str]]:
    text = README.read_text()
    section = text[text.index("## The command line") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the README's command-line section has no sh block"
    commands = [shlex.split(line, comments=True) for line in block.group(1).splitlines()]
    return [command for command in commands if command]


def _lodestar(
    args: list[str], env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "lodestar.cli.main", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def after_make_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment a reader's shell has after ``make run``: none of Lodestar's variables,
    and the data directory ``make run`` made (its key file, migrated, with the demo)."""
    data_dir = tmp_path_factory.mktemp("data")
    data_dir.chmod(0o700)
    (data_dir / "secret_key").write_text(secrets.token_urlsafe(50) + "\n")
    (data_dir / "secret_key").chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LODESTAR_", "DATABASE_"))}
    # Where `make run` keeps it by default is ~/.local/share/lodestar: the same lookup, moved.
    env["LODESTAR_DATA_DIR"] = str(data_dir)
    for step in (["migrate"], ["demo", "--if-empty"]):
        result = _lodestar(step, env)
        assert result.returncode == 0, result.stderr
    return env


def test_the_readme_has_a_command_line_tour() -> None:
    commands = _readme_commands()
    assert len(commands) >= 5
    assert all(command[0] == ".venv/bin/lodestar" for command in commands), commands


@pytest.mark.parametrize("command", _readme_commands(), ids=lambda c: " ".join(c[1:3]))
def test_each_readme_command_works_as_written(
    after_make_run: dict[str, str], command: list[str]
) -> None:
    # `user create` asks for the password twice, hidden.
    stdin = f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n" if command[1:3] == ["user", "create"] else ""
    result = _lodestar(command[1:], after_make_run, stdin)
    assert result.returncode == 0, f"{shlex.join(command)}\n{result.stdout}\n{result.stderr}"
    assert "LODESTAR_SECRET_KEY" not in result.stderr


def test_the_readme_demo_table_lists_the_demo_people() -> None:
    from lodestar.people.demo import DEMO_PASSWORD, PEOPLE

    text = README.read_text()
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \|", text, re.M)
    assert [(email, job.strip(), role.strip()) for email, job, role in rows] == [
        (person.email, person.job_title, person.role.value) for person in PEOPLE
    ]
    assert f"`{DEMO_PASSWORD}`" in text
