"""Pages of detention support: the public request form and the case workers' pages."""

from django.urls import path

from vecinos.cases import views

app_name = "cases"

urlpatterns = [
    path("detained", views.detained, name="detained"),
    path("detained/thanks", views.detained_thanks, name="detained_thanks"),
    path("cases", views.case_list, name="list"),
    path("cases/new", views.case_new, name="new"),
    path("cases/opened", views.case_opened, name="opened"),
    path("cases/tasks", views.my_tasks, name="tasks"),
    path("cases/tasks/<int:task_id>/done", views.task_done, name="task_done"),
    path("cases/facilities", views.facility_list, name="facilities"),
    path("cases/statistics", views.statistics, name="statistics"),
    path("cases/referrals/<int:referral_id>/answer", views.referral_answer, name="referral_answer"),
    path("cases/<uuid:case_id>", views.case_detail, name="detail"),
    path("cases/<uuid:case_id>/facts", views.case_facts, name="facts"),
    path("cases/<uuid:case_id>/take", views.case_take, name="take"),
    path("cases/<uuid:case_id>/assign", views.case_assign, name="assign"),
    path("cases/<uuid:case_id>/state", views.case_state, name="state"),
    path("cases/<uuid:case_id>/notes", views.case_note, name="note"),
    path("cases/<uuid:case_id>/tasks", views.case_task, name="task"),
    path("cases/<uuid:case_id>/locator-checks", views.case_locator, name="locator"),
    path("cases/<uuid:case_id>/referrals", views.case_referral, name="referral"),
    path("cases/<uuid:case_id>/hearings", views.case_hearing, name="hearing"),
    path("cases/<uuid:case_id>/family-updates", views.case_update, name="update"),
    path("cases/<uuid:case_id>/export.pdf", views.case_export, name="export"),
]
