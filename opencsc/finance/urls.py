from django.urls import path

from opencsc.finance import views

app_name = "finance"
urlpatterns = [
    path("budget/", views.budget, name="budget"),
    path("budget/new/", views.budget_new, name="budget_new"),
    path("budget/category/<str:category>/", views.budget_category, name="budget_category"),
    path("scenarios/new/", views.scenario_new, name="scenario_new"),
    path("providers/", views.providers, name="providers"),
    path("providers/new/", views.provider_new, name="provider_new"),
    path("providers/<int:provider_id>/approval/", views.approval_new, name="approval_new"),
    path("capacity/", views.capacity, name="capacity"),
    path("placements/<int:episode_id>/cost/", views.placement_cost, name="placement_cost"),
]
