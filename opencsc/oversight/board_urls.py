from django.urls import path

from opencsc.oversight import board_views

app_name = "board"
urlpatterns = [
    path("pack/", board_views.pack_page, name="pack"),
    path("pack.pdf", board_views.pack_pdf, name="pack_pdf"),
]
