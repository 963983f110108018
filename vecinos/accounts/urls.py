from django.urls import path

from vecinos.accounts import views

urlpatterns = [
    path("", views.account_home, name="account_home"),
    path("tokens/", views.create_token, name="account_create_token"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="account_revoke_token"),
    path("reset-2fa/", views.reset_second_factor, name="account_reset_second_factor"),
]
