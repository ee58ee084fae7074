from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "opencsc.documents"
    label = "documents"
