from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "opencsc.attachments"
    label = "attachments"
