from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from opencsc.accounts.access import can_change_child
from opencsc.audit.models import AccessKind
from opencsc.audit.services import record_access_log
from opencsc.people.selectors import child_get_for


def child_record_view(*, change: bool = False):
    """Loads the child for the view, refusing (and logging the refusal) anyone without access.

    Every load is logged as a view of the record; `change=True` also requires the right to change it.
    A refusal raised by the view itself is logged as a refusal too.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, child_id: int, *args, **kwargs):
            child = child_get_for(user=request.user, pk=child_id, path=request.get_full_path())
            if change and not can_change_child(request.user, child):
                record_access_log(user=request.user, child=child, kind=AccessKind.REFUSED, path=request.path)
                raise PermissionDenied("You can read this record but not change it")
            try:
                return view(request, child, *args, **kwargs)
            except PermissionDenied:
                # A view's own refusal (access log, restricting, allocating) is logged like any other.
                record_access_log(user=request.user, child=child, kind=AccessKind.REFUSED, path=request.path)
                raise

        return wrapper

    return decorator
