"""Pages of the organizing app (included at the site root by vecinos/urls.py)."""

from django.urls import path

from vecinos.organizing import hotline, views

app_name = "organizing"

urlpatterns = [
    path("organizing", views.home, name="home"),
    path("organizing/c/<slug:slug>", views.committee, name="committee"),
    path("organizing/c/<slug:slug>/events", views.event_new, name="event_new"),
    path("organizing/c/<slug:slug>/calendar", views.calendar_key, name="calendar_key"),
    path("organizing/c/<slug:slug>/trainings", views.trainings, name="trainings"),
    path("organizing/c/<slug:slug>/trainings/new", views.training_new, name="training_new"),
    path("organizing/c/<slug:slug>/responders", views.responder_role, name="responder_role"),
    path("organizing/c/<slug:slug>/shifts", views.shifts, name="shifts"),
    path("organizing/c/<slug:slug>/shifts/week", views.shift_week, name="shift_week"),
    path("organizing/c/<slug:slug>/hotline", views.hotline, name="hotline"),
    path("organizing/events/<int:event_id>", views.event, name="event"),
    path("organizing/events/<int:event_id>.ics", views.event_ics, name="event_ics"),
    path("organizing/events/<int:event_id>/rsvp", views.rsvp, name="rsvp"),
    path("organizing/events/<int:event_id>/attendance", views.attendance, name="attendance"),
    path("organizing/events/<int:event_id>/cancel", views.event_cancel, name="event_cancel"),
    path("organizing/shifts/<int:shift_id>/signup", views.shift_signup, name="shift_signup"),
    path("organizing/shifts/<int:shift_id>/leave", views.shift_leave, name="shift_leave"),
    path("organizing/shifts/<int:shift_id>/offer", views.shift_offer, name="shift_offer"),
    path("organizing/shifts/<int:shift_id>/take", views.shift_take, name="shift_take"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="calendar_feed"),
    path("hotline/twilio/voice", hotline.voice, name="hotline_voice"),
    path("hotline/twilio/voice/dialed", hotline.dialed, name="hotline_dialed"),
    path("hotline/twilio/voice/recorded", hotline.recorded, name="hotline_recorded"),
]
