from django.urls import include, path

from opencsc.ui import errors

urlpatterns = [
    path("", include("opencsc.ui.urls")),
    path("accounts/", include("opencsc.accounts.urls")),
    path("children/", include("opencsc.people.urls")),
    path("", include("opencsc.casework.urls")),
    path("children/", include("opencsc.casework.protection_urls")),
    path("children/", include("opencsc.looked_after.urls")),
    path("work/", include("opencsc.casework.work_urls")),
    path("oversight/", include("opencsc.oversight.urls")),
    path("board/", include("opencsc.oversight.board_urls")),
    path("looked-after/", include("opencsc.insight.urls")),
    path("insight/", include("opencsc.insight.dashboard_urls")),
    path("", include("opencsc.looked_after.adoption_urls")),
    path("", include("opencsc.looked_after.care_leaver_urls")),
    path("", include("opencsc.looked_after.iro_urls")),
    path("", include("opencsc.earlyhelp.urls")),
    path("", include("opencsc.privatefostering.urls")),
    path("", include("opencsc.legal.urls")),
    path("", include("opencsc.exploitation.urls")),
    path("", include("opencsc.allegations.urls")),
    path("front-door/demand/", include("opencsc.frontdoor.demand_urls")),
    path("front-door/", include("opencsc.frontdoor.urls")),
    path("refer/", include("opencsc.frontdoor.partner_urls")),
    path("returns/", include("opencsc.returns.urls")),
    path("workforce/", include("opencsc.workforce.urls")),
    path("finance/", include("opencsc.finance.urls")),
    path("audit/", include("opencsc.audit.urls")),
    path("", include("opencsc.documents.urls")),
    path("", include("opencsc.quality.urls")),
    path("", include("opencsc.attachments.urls")),
    path("document-templates/", include("opencsc.documents.template_urls")),
    path("", include("opencsc.api.urls")),
    path("api-clients/", include("opencsc.api.admin_urls")),
    path("data-flow/", include("opencsc.dataflow.urls")),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
