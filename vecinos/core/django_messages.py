"""Django's own messages that reach our pages while its Spanish catalogue leaves them
untranslated (Django 6.1's blank choice of a select, ``BLANK_CHOICE_LABEL``, shown on
every optional choice of the case pages). Marked here so that ``make messages`` brings
them into our catalogue, where they are translated; Django reads our catalogue
(``LOCALE_PATHS``) before its own. Never imported: the marks are for extraction only.

tests/test_spanish_everywhere.py fails when one reaches a Spanish page in English.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

MESSAGES = (gettext_noop("- Select an option -"),)
