from django.urls import path

from opencsc.legal import views

app_name = "legal"
urlpatterns = [
    path("children/<int:child_id>/legal/", views.child_page, name="child"),
    path("children/<int:child_id>/legal/gateway/", views.gateway_new, name="gateway_new"),
    path("children/<int:child_id>/legal/letter/", views.letter, name="letter"),
    path("children/<int:child_id>/legal/pre-proceedings-meeting/", views.pre_meeting, name="pre_meeting"),
    path("children/<int:child_id>/legal/pre-proceedings-end/", views.pre_end, name="pre_end"),
    path("children/<int:child_id>/legal/issue/", views.issue, name="issue"),
    path("children/<int:child_id>/legal/extension/", views.extend, name="extend"),
    path("children/<int:child_id>/legal/hearings/new/", views.hearing_new, name="hearing_new"),
    path("children/<int:child_id>/legal/hearings/outcome/", views.hearing_outcome, name="hearing_outcome"),
    path("children/<int:child_id>/legal/orders/new/", views.order_new, name="order_new"),
    path("children/<int:child_id>/legal/conclude/", views.conclude, name="conclude"),
    path("legal/proceedings/", views.service_page, name="proceedings"),
]
