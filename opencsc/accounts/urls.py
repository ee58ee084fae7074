from django.urls import path

from opencsc.accounts import sso_views, staff_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/two-factor/", views.two_factor, name="two_factor"),
    path("sso/", sso_views.sso_start, name="sso_start"),
    path("sso/callback/", sso_views.sso_callback, name="sso_callback"),
    path("password/", views.password_change, name="password_change"),
    path("sign-out/", views.sign_out_page, name="logout"),
    path("sign-out/confirm/", views.sign_out, name="logout_confirm"),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/role-approvals/", staff_views.role_approvals, name="role_approvals"),
    path("staff/new/", staff_views.staff_new, name="staff_new"),
    path("staff/<int:user_id>/", staff_views.staff_edit, name="staff_edit"),
    path("staff/<int:user_id>/unlink-sso/", staff_views.staff_unlink_sso, name="staff_unlink_sso"),
    path(
        "staff/<int:user_id>/reset-two-factor/",
        staff_views.staff_reset_two_factor,
        name="staff_reset_two_factor",
    ),
]
