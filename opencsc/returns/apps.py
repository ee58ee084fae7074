from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "opencsc.returns"
    label = "returns"
    verbose_name = "Statutory returns"

    def ready(self) -> None:
        # Each kind of return registers its exporter, importer and validator when its package is imported.
        from opencsc.returns import annexa, cin, csww, ssd, ssda903

        cin.register()
        annexa.register()
        csww.register()
        ssda903.register()
        ssd.register()
