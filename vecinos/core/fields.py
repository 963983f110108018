"""Model fields that keep personal data encrypted at rest.

``EncryptedTextField`` stores a :mod:`vecinos.core.crypto` token and gives Python code
the plain text. Its purpose (the associated data) is ``"<app>.<Model>.<field>"``,
so a token cannot be copied from one column to another. Renaming the model or the
field therefore needs a data migration that decrypts under the old purpose.

The database cannot compare ciphertexts (each save uses a fresh nonce), so every
lookup except ``isnull`` is refused: look contacts up by a keyed hash column
(``crypto.keyed_hash``) stored beside the encrypted one.

    address = EncryptedTextField()
    address_hash = models.CharField(max_length=64, db_index=True)
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Lookup, Transform

from vecinos.core import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted with AES-GCM (vecinos.core.crypto)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("unique") or kwargs.get("db_index") or kwargs.get("primary_key"):
            raise TypeError(
                "EncryptedTextField cannot be unique or indexed: every save uses a fresh "
                "nonce. Index a crypto.keyed_hash() column beside it instead."
            )
        super().__init__(*args, **kwargs)

    @property
    def purpose(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), purpose=self.purpose)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, purpose=self.purpose)

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # Django then answers "Unsupported lookup ..." (a FieldError)

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        return None


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted field of every installed concrete model."""
    found: list[tuple[type[models.Model], EncryptedTextField]] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        found.extend(
            (model, field)
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        )
    return found
