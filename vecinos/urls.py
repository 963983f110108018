from django.urls import include, path

from vecinos.api.api import api
from vecinos.api.routing import urls as api_urls
from vecinos.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("vecinos.accounts.urls")),
    path("api/v1/", api_urls(api)),
    path("", include("vecinos.reports.urls")),
    path("", include("vecinos.alerts.urls_subscribe")),
    path("", include("vecinos.alerts.urls")),
    path("feeds/", include("vecinos.feeds.urls")),
    path("committees/", include("vecinos.committees.urls")),
    path("", include("vecinos.delivery.urls_inbound")),
    path("", include("vecinos.delivery.urls_responder")),
    path("", include("vecinos.library.urls")),
    path("", include("vecinos.directory.urls")),
    path("", include("vecinos.organizing.urls")),
]
