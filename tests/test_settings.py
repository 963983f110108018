"""The production posture and configuration errors (vecinos/settings.py, vecinos/core/config.py).

Settings are read once per process, so most of these start ``vecinos`` in a
subprocess with a prepared environment."""

from __future__ import annotations

import os
import secrets
import stat
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vecinos.core import config

ROOT = Path(__file__).resolve().parent.parent


def random_secret(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def clean_environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The test runner's environment without any Vecinos or service configuration."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VECINOS_", "DJANGO_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "REPORT_RETENTION", "INCIDENT_RETENTION"}
    }
    env["VECINOS_DATA_DIR"] = str(data_dir)
    env.update(overrides)
    return env


def vecinos(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vecinos", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production(data_dir: Path, **overrides: str) -> dict[str, str]:
    settings = {
        "VECINOS_ENV": "production",
        "VECINOS_SECRET_KEY": random_secret(),
        "VECINOS_PUBLIC_URL": "https://vecinos.example.org",
    }
    return clean_environment(data_dir, **{**settings, **overrides})


@pytest.mark.parametrize("email", [{}, {"EMAIL_HOST": "smtp.example.org"}])
def test_check_deploy_is_clean_in_production(tmp_path: Path, email: dict[str, str]) -> None:
    env = production(tmp_path, **email)

    result = vecinos("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = production(tmp_path)
    del env["VECINOS_SECRET_KEY"]

    result = vecinos("check", env=env)

    assert result.returncode != 0
    assert "VECINOS_SECRET_KEY" in result.stderr
    assert "VECINOS_SECRET_KEY_FILE" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_reads_the_secret_key_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "django-secret"
    key_file.write_text(random_secret() + "\n")
    env = production(tmp_path, VECINOS_SECRET_KEY_FILE=str(key_file))
    del env["VECINOS_SECRET_KEY"]

    assert vecinos("check", "--deploy", "--fail-level", "WARNING", env=env).returncode == 0


def test_an_unreadable_or_empty_secret_key_file_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    for path in [empty, tmp_path / "missing"]:
        env = production(tmp_path, VECINOS_SECRET_KEY_FILE=str(path))
        del env["VECINOS_SECRET_KEY"]

        result = vecinos("check", env=env)

        assert result.returncode != 0
        assert "VECINOS_SECRET_KEY_FILE" in result.stderr


def test_the_public_url_must_be_https_in_production(tmp_path: Path) -> None:
    result = vecinos(
        "check", env=production(tmp_path, VECINOS_PUBLIC_URL="http://vecinos.example.org")
    )

    assert result.returncode != 0
    assert "VECINOS_PUBLIC_URL must be https://" in result.stderr


def test_debug_cannot_be_on_in_production(tmp_path: Path) -> None:
    result = vecinos("check", env=production(tmp_path, VECINOS_DEBUG="true"))

    assert result.returncode != 0
    assert "VECINOS_DEBUG" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("VECINOS_REPORT_RATE", "lots", "VECINOS_REPORT_RATE must look like 20/h"),
        ("VECINOS_ENV", "staging", "VECINOS_ENV must be development, production or test"),
        ("VECINOS_ENCRYPTION_KEY", "not-a-key", "encryption key"),
    ],
)
def test_bad_values_stop_the_start_with_a_message_naming_the_setting(
    tmp_path: Path, name: str, value: str, words: str
) -> None:
    result = vecinos("check", env=clean_environment(tmp_path, **{name: value}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert words in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "read", "words"),
    [
        ("VECINOS_REPORT_RATE", "0/h", "rate", "VECINOS_REPORT_RATE must allow at least one"),
        ("VECINOS_API_RATE", "20/fortnight", "rate", "VECINOS_API_RATE must look like 20/h"),
        ("REPORT_RETENTION", "two weeks", "int", "REPORT_RETENTION must be a whole number"),
        ("REPORT_RETENTION", "0", "int", "REPORT_RETENTION must be between 1"),
        ("VECINOS_REQUIRE_MFA", "maybe", "bool", "VECINOS_REQUIRE_MFA must be true or false"),
        ("SMS_RATE", "nan", "float", "SMS_RATE must be at least"),
        ("VECINOS_HASH_KEY", "c2hvcnQ", "hash", "VECINOS_HASH_KEY must be at least 32 bytes"),
        ("VECINOS_ENCRYPTION_KEY", "0123abcd:c2hvcnQ", "keys", "32 bytes"),
    ],
)
def test_each_kind_of_bad_value_gets_a_message_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, read: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    readers = {
        "rate": lambda: config.parse_rate(config.env_str(name), name=name),
        "int": lambda: config.env_int(name, 14, minimum=1),
        "bool": lambda: config.env_bool(name, True),
        "float": lambda: config.env_float(name, 1.0, minimum=0.01),
        "hash": lambda: config.hash_key(directory=tmp_path),
        "keys": lambda: config.encryption_keys(directory=tmp_path),
    }

    with pytest.raises(ImproperlyConfigured) as error:
        readers[read]()

    assert words in str(error.value)


@pytest.mark.parametrize(
    ("text", "rate"),
    [("20/h", (20, 3600)), ("5/10m", (5, 600)), (" 300 / m ", (300, 60)), ("1/d", (1, 86400))],
)
def test_rates_are_read_as_count_per_seconds(text: str, rate: tuple[int, int]) -> None:
    assert config.parse_rate(text, name="VECINOS_REPORT_RATE") == rate


@pytest.mark.parametrize("text", ["", "20", "h", "20/", "-1/h", "20/0m", "1.5/h", "20/w"])
def test_bad_rates_are_refused(text: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="VECINOS_REPORT_RATE"):
        config.parse_rate(text, name="VECINOS_REPORT_RATE")


def test_generated_secrets_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"

    result = vecinos("check", env=clean_environment(data_dir))

    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ["secret_key", "encryption.keys", "hash.key"]:
        path = data_dir / name
        assert path.exists(), name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_generated_secrets_are_kept_across_starts(tmp_path: Path) -> None:
    env = clean_environment(tmp_path)
    vecinos("check", env=env)
    first = {name: (tmp_path / name).read_text() for name in ["secret_key", "encryption.keys"]}

    vecinos("check", env=env)

    assert first == {name: (tmp_path / name).read_text() for name in first}


def test_secret_files_are_made_private_even_under_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        config.write_secret_file(tmp_path / "secret", "x")
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600
