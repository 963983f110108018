from django.urls import path

from vecinos.committees import views

app_name = "committees"

urlpatterns = [
    path("", views.committee_list, name="list"),
    path("mine/", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("invite/", views.redeem, name="redeem"),
    path("welcome/<str:uidb64>/<str:token>/", views.welcome, name="welcome"),
    path("accounts/deactivate/", views.deactivate, name="deactivate"),
    path("area-cell/", views.area_cell, name="area_cell"),
    path("<slug:slug>/", views.committee_public, name="public"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/home/", views.committee_home, name="committee"),
    path("<slug:slug>/announcements/", views.announcement_archive, name="announcements"),
    path("<slug:slug>/announcements/new/", views.announce, name="announce"),
    path("<slug:slug>/tasks/", views.task_list, name="tasks"),
    path("<slug:slug>/tasks/<int:task_id>/", views.task_update, name="task_update"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/requests/", views.request_list, name="requests"),
    path("<slug:slug>/requests/<int:request_id>/vouch/", views.vouch, name="vouch"),
    path(
        "<slug:slug>/requests/<int:request_id>/approve/",
        views.request_decide,
        {"decision": "approve"},
        name="approve",
    ),
    path(
        "<slug:slug>/requests/<int:request_id>/decline/",
        views.request_decide,
        {"decision": "decline"},
        name="decline",
    ),
    path("<slug:slug>/members/", views.member_list, name="members"),
    path("<slug:slug>/members/export.csv", views.member_export, name="export"),
    path("<slug:slug>/members/<int:membership_id>/contact/", views.member_contact, name="contact"),
    path("<slug:slug>/members/<int:membership_id>/role/", views.member_role, name="role"),
    path("<slug:slug>/members/<int:membership_id>/remove/", views.member_remove, name="remove"),
    path("<slug:slug>/invites/", views.invite_list, name="invites"),
    path("<slug:slug>/invites/<int:invite_id>/revoke/", views.invite_revoke, name="invite_revoke"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/coordinators/", views.add_coordinator, name="add_coordinator"),
    path("<slug:slug>/audit/", views.contact_audit, name="audit"),
]
