from django.core.exceptions import ValidationError


class ConcurrentEditError(ValidationError):
    """Someone else saved the record after this user opened it."""

    def __init__(self, what: str):
        super().__init__(
            f"This {what} was changed by someone else after you opened it. "
            "Your text is kept below: compare it with the latest version and save again.",
            code="concurrent_edit",
        )
