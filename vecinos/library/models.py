"""The know-your-rights library: pages, their translations and every version of each.

A page (``door``, ``street``, ``red-card``...) is structured content: a title, a short
summary and sections, each a heading and a list of points. Each language is a
``Translation`` that records whether a fluent person reviewed it, who and when; every
save keeps the previous text as a ``Revision`` (the version history and the library's
record of who changed what)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Page(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.slug


class Source(models.TextChoices):
    SHIPPED = "shipped", _("Shipped with Vecinos")
    EDITED = "edited", _("Edited here")


class Translation(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    # [{"heading": str, "points": [str, ...]}, ...]
    sections = models.JSONField(default=list)
    reviewed = models.BooleanField(default=False)
    reviewer = models.CharField(max_length=120, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.SHIPPED)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "language"], name="one_translation_per_language"
            )
        ]
        ordering = ["page__position", "language"]

    def __str__(self) -> str:
        return f"{self.page.slug} ({self.language})"


# The note of every revision that ``vecinos.library.shipped`` loads from the content
# files: stored as written here, shown in the reader's language (``Revision.shown_note``).
SHIPPED_NOTE = "shipped text"


class Revision(models.Model):
    """One saved version of a translation: the text as it was, who saved it and when."""

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    sections = models.JSONField(default=list)
    reviewed = models.BooleanField(default=False)
    reviewer = models.CharField(max_length=120, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["translation", "version"], name="one_revision_per_version"
            )
        ]
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.translation} v{self.version}"

    @property
    def shown_note(self) -> str:
        """The note as the history shows it: an editor's own words as written; the
        loader's mark of shipped text in the reader's language."""
        if self.note == SHIPPED_NOTE and self.saved_by_id is None:
            return str(_("shipped text"))
        return self.note
