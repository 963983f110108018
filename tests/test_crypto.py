"""Field encryption, the keyed hash and the contact normalisers (vecinos.core.crypto)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import models
from django.test.utils import isolate_apps

from vecinos.core import crypto
from vecinos.core.fields import EncryptedTextField

OLD = ("01d00001", bytes(range(32)))
NEW = ("4e570002", bytes(range(32, 64)))
PURPOSE = "alerts.Subscription.address"


@pytest.fixture(autouse=True)
def settings_keys(settings: object) -> Iterator[None]:
    settings.VECINOS_ENCRYPTION_KEYS = [OLD]  # type: ignore[attr-defined]
    crypto.use_keys(None)
    yield
    crypto.use_keys(None)


def test_a_phone_number_comes_back_as_it_went_in() -> None:
    token = crypto.encrypt("+12135550100", purpose=PURPOSE)

    assert crypto.decrypt(token, purpose=PURPOSE) == "+12135550100"


def test_a_token_names_its_version_and_key_and_hides_the_text() -> None:
    token = crypto.encrypt("+12135550100", purpose=PURPOSE)

    version, kid, body = token.split(".")
    assert (version, kid) == ("v1", OLD[0])
    assert "2135550100" not in token
    assert len(base64.urlsafe_b64decode(body + "==")) == 12 + len("+12135550100") + 16


def test_the_same_text_encrypts_differently_each_time() -> None:
    assert crypto.encrypt("same", purpose=PURPOSE) != crypto.encrypt("same", purpose=PURPOSE)


def test_unicode_and_empty_text_round_trip() -> None:
    for text in ["", "ñandú 北京 📞", "x" * 5000]:
        assert crypto.decrypt(crypto.encrypt(text, purpose=PURPOSE), purpose=PURPOSE) == text


def test_a_token_moved_to_another_column_does_not_decrypt() -> None:
    token = crypto.encrypt("+12135550100", purpose=PURPOSE)

    with pytest.raises(crypto.DecryptionError, match="another purpose"):
        crypto.decrypt(token, purpose="alerts.Subscription.push_endpoint")


def test_a_tampered_token_does_not_decrypt() -> None:
    token = crypto.encrypt("+12135550100", purpose=PURPOSE)
    raw = bytearray(base64.urlsafe_b64decode(token.split(".")[2] + "=="))
    raw[-1] ^= 1
    forged = "v1." + OLD[0] + "." + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(forged, purpose=PURPOSE)


def test_a_token_relabelled_with_another_key_id_does_not_decrypt(settings: object) -> None:
    settings.VECINOS_ENCRYPTION_KEYS = [OLD, (NEW[0], OLD[1])]  # type: ignore[attr-defined]
    token = crypto.encrypt("+12135550100", purpose=PURPOSE)

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token.replace(OLD[0], NEW[0], 1), purpose=PURPOSE)


@pytest.mark.parametrize(
    "junk",
    ["", "plain text", "v2.0ld0000a.AAAA", "v1.0ld0001.***", "v1.0ld0001.AAAA", "v1.nothex!.AAAA"],
)
def test_junk_is_refused_with_a_decryption_error(junk: str) -> None:
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(junk, purpose=PURPOSE)


def test_a_token_under_an_unknown_key_is_refused_by_name() -> None:
    with crypto.keys_in_use([NEW]):
        token = crypto.encrypt("+12135550100", purpose=PURPOSE)

    with pytest.raises(crypto.DecryptionError, match=NEW[0]):
        crypto.decrypt(token, purpose=PURPOSE)


def test_old_keys_still_decrypt_and_the_first_key_encrypts(settings: object) -> None:
    old_token = crypto.encrypt("old", purpose=PURPOSE)
    settings.VECINOS_ENCRYPTION_KEYS = [NEW, OLD]  # type: ignore[attr-defined]

    assert crypto.decrypt(old_token, purpose=PURPOSE) == "old"
    assert crypto.key_id(crypto.encrypt("new", purpose=PURPOSE)) == NEW[0]


def test_a_purpose_is_required() -> None:
    with pytest.raises(ValueError, match="purpose"):
        crypto.encrypt("x", purpose="")
    with pytest.raises(ValueError, match="purpose"):
        crypto.keyed_hash("x", purpose="")


# Keyed hash ----------------------------------------------------------------------------


def test_the_keyed_hash_is_stable_hex_and_depends_on_value_and_purpose() -> None:
    digest = crypto.keyed_hash("+12135550100", purpose="sms")

    assert digest == crypto.keyed_hash("+12135550100", purpose="sms")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest != crypto.keyed_hash("+12135550101", purpose="sms")
    assert digest != crypto.keyed_hash("+12135550100", purpose="email")


def test_the_keyed_hash_needs_the_hash_key(settings: object) -> None:
    before = crypto.keyed_hash("+12135550100", purpose="sms")
    settings.VECINOS_HASH_KEY = secrets.token_bytes(32)  # type: ignore[attr-defined]

    assert crypto.keyed_hash("+12135550100", purpose="sms") != before


def test_the_keyed_hash_is_not_a_plain_hash() -> None:
    import hashlib

    value = "+12135550100"
    assert crypto.keyed_hash(value, purpose="sms") != hashlib.sha256(value.encode()).hexdigest()


# Normalisers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        (" Rosa@Example.ORG ", "rosa@example.org"),
        ("a.b+alerts@sub.example.org", "a.b+alerts@sub.example.org"),
    ],
)
def test_emails_are_stripped_and_lowered(raw: str, normal: str) -> None:
    assert crypto.normalize_email(raw) == normal


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "rosa",
        "rosa@",
        "@example.org",
        "rosa@example",
        "a b@example.org",
        "a@@b.org",
        "ro\x00sa@example.org",
        "ro\x1bsa@example.org",
        "ro\ud800sa@example.org",
    ],
)
def test_junk_emails_are_refused(junk: str) -> None:
    with pytest.raises(ValueError):
        crypto.normalize_email(junk)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("(213) 555-0100", "+12135550100"),
        ("213.555.0100", "+12135550100"),
        ("2135550100", "+12135550100"),
        ("1 213 555 0100", "+12135550100"),
        ("+1 213-555-0100", "+12135550100"),
        ("+52 55 1234 5678", "+525512345678"),
        ("0052 55 1234 5678", "+525512345678"),
        ("+63 917 123 4567", "+639171234567"),
    ],
)
def test_phone_numbers_become_e164(raw: str, normal: str) -> None:
    assert crypto.normalize_phone(raw) == normal


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "call me",
        "555-0100",
        "+",
        "+0123456789",
        "+1234",
        "12345678901234567",
        "+1 013 555 0100",
        "+999 1234 5678",
        "+1 213 000 0000",
    ],
)
def test_junk_phone_numbers_are_refused(junk: str) -> None:
    with pytest.raises(ValueError):
        crypto.normalize_phone(junk)


def test_the_same_person_hashes_the_same_whatever_they_typed() -> None:
    typed = ["(213) 555-0100", "+1 213 555 0100", "213.555.0100"]
    hashes = {crypto.keyed_hash(crypto.normalize_phone(t), purpose="sms") for t in typed}
    assert len(hashes) == 1


# The model field -----------------------------------------------------------------------


@isolate_apps("vecinos.core")
def test_the_field_stores_a_token_bound_to_its_column_and_reads_text() -> None:
    class Contact(models.Model):
        address = EncryptedTextField()

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return f"contact {self.pk}"

    field = Contact._meta.get_field("address")
    assert isinstance(field, EncryptedTextField)
    assert field.purpose == "core.Contact.address"

    stored = field.get_prep_value("+12135550100")
    assert stored.startswith(f"v1.{OLD[0]}.")
    assert crypto.decrypt(stored, purpose="core.Contact.address") == "+12135550100"
    assert field.from_db_value(stored, None, None) == "+12135550100"
    assert field.get_prep_value(None) is None
    assert field.from_db_value(None, None, None) is None

    with pytest.raises(crypto.DecryptionError):
        field.from_db_value(crypto.encrypt("+1", purpose="core.Other.address"), None, None)


@isolate_apps("vecinos.core")
def test_the_field_refuses_lookups_other_than_isnull() -> None:
    from django.core.exceptions import FieldError

    class Contact(models.Model):
        address = EncryptedTextField(null=True)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return f"contact {self.pk}"

    assert str(Contact.objects.filter(address__isnull=True).query)
    for lookup in ["address", "address__exact", "address__icontains", "address__startswith"]:
        with pytest.raises(FieldError):
            Contact.objects.filter(**{lookup: "+12135550100"})


def test_the_field_cannot_be_unique_or_indexed() -> None:
    with pytest.raises(TypeError, match="keyed_hash"):
        EncryptedTextField(unique=True)
    with pytest.raises(TypeError):
        EncryptedTextField(db_index=True)


def test_a_number_without_plus_is_read_in_the_networks_region(settings: Any) -> None:
    settings.PHONE_REGION = "MX"

    assert crypto.normalize_phone("55 1234 5678") == "+525512345678"
    assert crypto.normalize_phone("+1 213 555 0100") == "+12135550100"


def test_the_default_region_is_the_united_states(settings: Any) -> None:
    assert settings.PHONE_REGION == "US"
    assert crypto.normalize_phone("(213) 555-0100") == "+12135550100"
