"""The data inventory names every field of every model, and docs/privacy.md is generated
from it (DESIGN.md, principle 1)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from vecinos.core import inventory
from vecinos.core.inventory import INTERNAL, ROW, Entry, Table
from vecinos.core.management.commands.inventory import privacy_doc_path


def test_every_field_of_every_installed_model_is_in_the_inventory() -> None:
    missing = [p for p in inventory.problems() if "is not in the inventory" in p]

    assert not missing, (
        "Add these to vecinos/core/inventory.py, then run `vecinos inventory --write`:\n"
        + "\n".join(missing)
    )


def test_no_entry_names_a_field_or_model_that_does_not_exist() -> None:
    stale = [p for p in inventory.problems() if "is in the inventory but" in p]

    assert not stale, "Remove or rename these in vecinos/core/inventory.py:\n" + "\n".join(stale)


def test_the_check_covers_django_allauth_and_our_apps() -> None:
    labels = {model._meta.label for model in inventory.inventoried_models()}

    assert {
        "auth.Group",
        "contenttypes.ContentType",
        "sessions.Session",
        "account.EmailAddress",
        "mfa.Authenticator",
        "accounts.User",
        "committees.Committee",
        "reports.Report",
    } <= labels


def test_a_missing_field_and_a_stale_entry_are_named() -> None:
    label = "committees.Committee"
    table = inventory.INVENTORY[label]
    fields = {k: v for k, v in table.fields.items() if k != "description"}
    fields["colour"] = Entry(INTERNAL, ROW, "no such field")
    broken = {**inventory.INVENTORY, label: Table(table.about, table.retention, fields)}
    del broken["sessions.Session"]

    found = inventory.problems(broken)

    assert "committees.Committee.description is not in the inventory" in found
    assert "committees.Committee.colour is in the inventory but the model has no such field" in (
        found
    )
    assert any(p.startswith("sessions.Session is not in the inventory") for p in found)


def test_every_entry_has_a_level_a_retention_and_a_note() -> None:
    for label, table in inventory.INVENTORY.items():
        assert table.about and table.retention, label
        for name, entry in table.fields.items():
            assert isinstance(entry.sensitivity, inventory.Sensitivity), f"{label}.{name}"
            assert table.retention_of(name).strip(), f"{label}.{name}"
            assert entry.note.strip(), f"{label}.{name}"


def test_credentials_are_secret_and_reporter_text_is_sensitive() -> None:
    def level(label: str, name: str) -> str:
        return inventory.INVENTORY[label].fields[name].sensitivity

    assert level("accounts.User", "password") == "secret"
    assert level("accounts.ApiToken", "digest") == "secret"
    assert level("sessions.Session", "session_data") == "secret"
    assert level("mfa.Authenticator", "data") == "secret"
    assert level("reports.Report", "description") == "sensitive"
    assert "REPORT_RETENTION" in inventory.INVENTORY["reports.Report"].retention_of("description")


def test_docs_privacy_md_is_up_to_date() -> None:
    path = privacy_doc_path()

    assert path.exists(), "docs/privacy.md is missing: run `vecinos inventory --write`"
    assert path.read_text() == inventory.render_markdown(), (
        "docs/privacy.md is out of date: run `vecinos inventory --write`"
    )


def test_the_document_has_the_principles_and_one_table_per_model() -> None:
    text = inventory.render_markdown()

    for words in ["No IP address is stored", "AES-256-GCM", "keyed hash", "H3", "vecinos purge"]:
        assert words in text
    for label in inventory.INVENTORY:
        assert f"\n### {label}\n" in text
    assert "| `description` | sensitive | REPORT_RETENTION" in text


def test_check_fails_on_a_stale_document_and_write_repairs_it(tmp_path: Path) -> None:
    path = tmp_path / "privacy.md"
    path.write_text("# old\n")

    with pytest.raises(CommandError, match="out of date"):
        call_command("inventory", "--check", "--path", str(path), stdout=io.StringIO())

    call_command("inventory", "--write", "--path", str(path), stdout=io.StringIO())
    call_command("inventory", "--check", "--path", str(path), stdout=io.StringIO())
    assert path.read_text() == inventory.render_markdown()


def test_the_command_refuses_an_incomplete_inventory(monkeypatch: pytest.MonkeyPatch) -> None:
    partial = dict(inventory.INVENTORY)
    del partial["reports.Report"]
    monkeypatch.setattr(inventory, "INVENTORY", partial)

    with pytest.raises(CommandError, match=r"reports\.Report is not in the inventory"):
        call_command("inventory", "--check", stdout=io.StringIO())


def test_models_defined_by_tests_are_left_out() -> None:
    assert all(not m.__module__.startswith("tests.") for m in inventory.inventoried_models())
    assert len(inventory.inventoried_models()) <= len(apps.get_models())


def test_encrypted_columns_are_declared_sensitive_or_secret() -> None:
    from vecinos.core.fields import encrypted_fields

    for model, field in encrypted_fields():
        entry = inventory.tables()[model._meta.label].fields[field.name]
        assert entry.sensitivity in {"sensitive", "secret"}, field.purpose


def test_no_model_has_a_place_for_an_ip_address() -> None:
    from django.db import models

    suspicious = {"ip", "ip_address", "remote_addr", "client_ip", "address_ip", "user_agent"}
    for model in inventory.inventoried_models():
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            assert not isinstance(field, models.GenericIPAddressField), label
            assert field.name.lower() not in suspicious, label
