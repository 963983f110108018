from django.urls import path, register_converter

from vecinos.library import views
from vecinos.library.pages import LANGUAGES


class LanguageConverter:
    """One of the library's language codes, nothing else (so ``/rights/plan`` is not a
    language)."""

    regex = "|".join(sorted(LANGUAGES, key=len, reverse=True))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageConverter, "rightslang")

urlpatterns = [
    path("rights/", views.index, name="library_index"),
    path("rights/sw.js", views.service_worker, name="library_service_worker"),
    path("rights/plan", views.plan, name="library_plan"),
    path("rights/edit/", views.edit_list, name="library_edit_list"),
    path("rights/edit/<slug:slug>/<rightslang:lang>", views.edit, name="library_edit"),
    path(
        "rights/edit/<slug:slug>/<rightslang:lang>/history",
        views.history,
        name="library_history",
    ),
    path("rights/<rightslang:lang>/", views.language_index, name="library_language"),
    path("rights/<rightslang:lang>/red-card.pdf", views.card_pdf, name="library_card_pdf"),
    path("rights/<rightslang:lang>/red-cards.pdf", views.card_sheet_pdf, name="library_card_sheet"),
    path("rights/<rightslang:lang>/flyer.pdf", views.flyer_pdf, name="library_flyer_pdf"),
    path("rights/<rightslang:lang>/<slug:slug>", views.page, name="library_page"),
]
