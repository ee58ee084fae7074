from django.urls import path

from opencsc.insight import dashboard_views as views

app_name = "numbers"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:panel>/<slug:key>/", views.panel_children_page, name="panel"),
    path("kpis/", views.kpis_page, name="kpis"),
    path("kpis/<slug:kpi_id>/", views.kpi_children, name="kpi"),
    path("targets/", views.targets_page, name="targets"),
    path("comparators/", views.comparators_page, name="comparators"),
]
