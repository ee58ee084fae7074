from django.urls import path

from opencsc.frontdoor import views

app_name = "frontdoor"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact"),
    path("contacts/<int:contact_id>/triage/", views.contact_triage, name="triage"),
    path("contacts/<int:contact_id>/checks/", views.contact_check, name="check"),
    path("contacts/<int:contact_id>/checks/response/", views.contact_check_response, name="check_response"),
    path("contacts/<int:contact_id>/decision/", views.contact_decide, name="decide"),
    path("contacts/<int:contact_id>/children/<int:subject_id>/match/", views.subject_match, name="match"),
]
