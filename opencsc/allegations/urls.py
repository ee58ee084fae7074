from django.urls import path

from opencsc.allegations import views

app_name = "allegations"
urlpatterns = [
    path("allegations/", views.allegation_list, name="list"),
    path("allegations/new/", views.allegation_new, name="new"),
    path("allegations/figures/", views.service_page, name="service"),
    path("allegations/<int:allegation_id>/", views.allegation_detail, name="detail"),
    path("allegations/<int:allegation_id>/initial-consideration/", views.consideration, name="consideration"),
    path("allegations/<int:allegation_id>/strategy-discussion/", views.strategy, name="strategy"),
    path("allegations/<int:allegation_id>/outcome/", views.outcome, name="outcome"),
    path("allegations/<int:allegation_id>/regulator/", views.regulator_referral, name="regulator"),
    path("allegations/<int:allegation_id>/access/", views.access_grant, name="access"),
]
