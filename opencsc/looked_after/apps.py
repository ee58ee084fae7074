from django.apps import AppConfig


class LookedAfterConfig(AppConfig):
    name = "opencsc.looked_after"
    label = "looked_after"

    def ready(self):
        from opencsc.casework.models import CaseType
        from opencsc.casework.statutory import OpenWorkKind, register_open_work_kind
        from opencsc.looked_after.codes import SHORT_BREAK_STATUSES
        from opencsc.looked_after.models import Episode

        register_open_work_kind(
            OpenWorkKind(
                CaseType.LOOKED_AFTER,
                "Looked after",
                lambda: Episode.objects.filter(ended_on__isnull=True).exclude(
                    legal_status__in=SHORT_BREAK_STATUSES
                ),
                "started_on",
            )
        )
