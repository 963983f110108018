from django.urls import path

from vecinos.directory import views

urlpatterns = [
    path("legal-help/", views.search, name="directory_search"),
    path("legal-help/manage/", views.manage, name="directory_manage"),
    path("legal-help/manage/export.csv", views.export, name="directory_export"),
    path("legal-help/manage/import", views.import_csv, name="directory_import"),
    path("legal-help/manage/<slug:slug>/checked", views.mark_checked, name="directory_checked"),
]
