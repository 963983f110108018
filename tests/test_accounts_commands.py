"""``vecinos createuser`` and ``vecinos token``: an operator makes accounts and API
tokens at the command line."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import PASSWORD, process_env
from vecinos.accounts.models import AccountEvent, ApiToken, Role, User

pytestmark = pytest.mark.django_db


def createuser(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    options: dict[str, object] = {"stdout": out, "stderr": io.StringIO()}
    if stdin is not None:
        options["stdin"] = io.StringIO(stdin)
    call_command("createuser", *args, **options)
    return out.getvalue()


def token(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# createuser -------------------------------------------------------------------------------


def test_createuser_reads_the_password_from_stdin() -> None:
    output = createuser(
        "nadia", "--role", "dispatcher", "--email", "nadia@example.org", "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )  # fmt: skip
    user = User.objects.get(username="nadia")
    assert (user.role, user.email) == (Role.DISPATCHER, "nadia@example.org")
    assert user.check_password(PASSWORD)
    assert "Created dispatcher nadia." in output
    assert "authenticator" in output
    event = AccountEvent.objects.get()
    assert (event.type, event.user, event.actor) == (AccountEvent.Type.USER_CREATED, user, None)


def test_createuser_asks_twice_without_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    createuser("rosa", "--role", "responder")
    assert User.objects.get(username="rosa").check_password(PASSWORD)


def test_createuser_refuses_two_different_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        createuser("rosa", "--role", "responder")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "complaint"),
    [("short", "too short"), ("password123", "too common"), ("", "empty")],
)
def test_createuser_refuses_a_weak_password(password: str, complaint: str) -> None:
    with pytest.raises(CommandError, match=complaint):
        createuser("rosa", "--role", "responder", "--password-stdin", stdin=password + "\n")
    assert not User.objects.exists()


def test_createuser_refuses_a_password_like_the_username() -> None:
    with pytest.raises(CommandError, match="too similar"):
        createuser("rosamaria", "--role", "responder", "--password-stdin", stdin="rosamaria1\n")


def test_createuser_refuses_an_unknown_role() -> None:
    with pytest.raises(CommandError, match="Unknown role 'sheriff'"):
        createuser("rosa", "--role", "sheriff", "--password-stdin", stdin=PASSWORD)
    assert not User.objects.exists()


def test_createuser_refuses_a_taken_username(rosa: User) -> None:
    with pytest.raises(CommandError, match="taken"):
        createuser("Rosa", "--role", "member", "--password-stdin", stdin=PASSWORD)
    assert User.objects.count() == 1


def test_createuser_refuses_an_invalid_username() -> None:
    with pytest.raises(CommandError):
        createuser("ro sa!", "--role", "member", "--password-stdin", stdin=PASSWORD)
    assert not User.objects.exists()


def test_createuser_needs_a_role() -> None:
    with pytest.raises(CommandError, match="--role"):
        createuser("rosa", "--password-stdin", stdin=PASSWORD)


# token ------------------------------------------------------------------------------------


def test_token_prints_a_working_token_alone_on_the_last_line(dani: User) -> None:
    out, err = token("dani", "--name", "console script")
    plaintext = out.strip().splitlines()[-1]
    assert plaintext.startswith("vec_") and " " not in plaintext
    assert "not shown again" in err
    assert ApiToken.objects.get().name == "console script"
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.json() == {"username": "dani", "role": "dispatcher"}


def test_token_refuses_a_member(mara: User) -> None:
    with pytest.raises(CommandError, match="cannot have API tokens"):
        token("mara")
    assert not ApiToken.objects.exists()


def test_token_refuses_an_unknown_account() -> None:
    with pytest.raises(CommandError, match="No account named 'nobody'"):
        token("nobody")


def test_token_refuses_a_deactivated_account(rosa: User) -> None:
    User.objects.filter(pk=rosa.pk).update(is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        token("rosa")


# The real console command: exit codes and streams -----------------------------------------


@pytest.mark.slow
def test_the_console_commands_print_the_token_and_exit_1_on_a_bad_role(
    migrated_data_dir: Path,
) -> None:
    def vecinos(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vecinos", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=process_env(migrated_data_dir),
            timeout=120,
            check=False,
        )

    made = vecinos("createuser", "dani", "--role", "dispatcher", "--password-stdin", stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    unknown = vecinos("createuser", "x", "--role", "sheriff", "--password-stdin", stdin=PASSWORD)
    assert unknown.returncode == 1
    assert "Unknown role 'sheriff'" in unknown.stderr
    # A dispatcher has no second factor yet: no token (tests/test_api_tokens_need_mfa.py).
    assert vecinos("token", "dani").returncode == 1
    made = vecinos("createuser", "rosa", "--role", "responder", "--password-stdin", stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    issued = vecinos("token", "rosa")
    assert issued.returncode == 0, issued.stderr
    assert issued.stdout.strip().startswith("vec_")
    assert len(issued.stdout.strip().splitlines()) == 1
