from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DATA_DIR = str(Path(tempfile.gettempdir()) / "lodestar-settings-test")


def _settings_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import lodestar.config.settings"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={
            "PATH": "/usr/bin:/bin",
            "LODESTAR_DATA_DIR": str(Path(tempfile.gettempdir()) / "lodestar-settings-test"),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "env",
    [{}, {"LODESTAR_SECRET_KEY": "lodestar-insecure-development-key-change-me"}],
    ids=["missing", "default"],
)
def test_production_refuses_a_missing_or_default_secret_key(env: dict[str, str]) -> None:
    result = _settings_with(env)
    assert result.returncode != 0
    assert "LODESTAR_SECRET_KEY is missing or is the development default" in result.stderr


def test_production_accepts_a_real_secret_key() -> None:
    result = _settings_with({"LODESTAR_SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr


def test_debug_mode_runs_without_a_secret_key() -> None:
    result = _settings_with({"LODESTAR_DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            "PATH": "/usr/bin:/bin",
            "LODESTAR_DATA_DIR": DATA_DIR,
            "LODESTAR_SECRET_KEY": "k" * 20 + "-production-secret-" + "q" * 30,
            "DJANGO_SETTINGS_MODULE": "lodestar.config.settings",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_reads_the_key_file_make_run_writes(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("f" * 50 + "\n")
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {"PATH": "/usr/bin:/bin", "LODESTAR_DATA_DIR": str(tmp_path)}
    run = [
        sys.executable,
        "-c",
        "import django, os; "
        "os.environ['DJANGO_SETTINGS_MODULE']='lodestar.config.settings'; " + code,
    ]
    from_file = subprocess.run(run, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert from_file.stdout.strip() == "f" * 50, from_file.stderr
    # The variable, when set, wins over the file.
    from_env = subprocess.run(  # noqa: S603
        run,
        env=env | {"LODESTAR_SECRET_KEY": "e" * 50},
        capture_output=True,
        text=True,
        check=False,
    )
    assert from_env.stdout.strip() == "e" * 50, from_env.stderr


def test_the_missing_key_message_names_the_key_file() -> None:
    result = _settings_with({})
    assert f"or put one in {DATA_DIR}/secret_key" in result.stderr


@pytest.mark.parametrize("value", ["fast", "-5", "1.5"])
def test_a_limit_that_is_not_a_whole_number_is_refused_by_name(value: str) -> None:
    result = _settings_with({"LODESTAR_DEBUG": "1", "LODESTAR_API_RATE_LIMIT": value})
    assert result.returncode != 0
    assert f"LODESTAR_API_RATE_LIMIT must be a whole number of 0 or more, not '{value}'" in (
        result.stderr
    )
