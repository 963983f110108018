from django.urls import path

from vecinos.accounts import views

urlpatterns = [
    path("", views.account_home, name="account_home"),
]
