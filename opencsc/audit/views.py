from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from opencsc.audit.selectors import (
    ACTIONS,
    TrailQuery,
    audit_trail,
    can_search_audit_trail,
    child_by_la_id,
    people_matching,
    trail_children,
    trail_people,
)
from opencsc.audit.services import audit_search_record
from opencsc.people.selectors import children_visible_to
from opencsc.ui.govuk_forms import error_summary

PAGE_SIZE = 50


class TrailSearchForm(forms.Form):
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=150,
        help_text="A username, or part of a member of staff's name",
    )
    child = forms.CharField(
        label="Child's LA child ID", required=False, max_length=20, help_text="For example C100234"
    )
    date_from = forms.DateField(
        label="From", required=False, input_formats=["%Y-%m-%d"], help_text="For example 2026-03-01"
    )
    date_to = forms.DateField(
        label="To", required=False, input_formats=["%Y-%m-%d"], help_text="The last day included"
    )
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any")] + ACTIONS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = (
                "Enter a real date in the form YYYY-MM-DD, like 2026-03-01"
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return cleaned

    def clean_person(self):
        text = self.cleaned_data["person"].strip()
        self.people = people_matching(text) if text else None
        if text and not self.people:
            raise forms.ValidationError(f"No member of staff has the username or name '{text}'")
        return text

    def clean_child(self):
        text = self.cleaned_data["child"].strip()
        self.child_record = child_by_la_id(text) if text else None
        if text and self.child_record is None:
            raise forms.ValidationError(f"No child has the LA child ID '{text}'")
        return text

    def query(self) -> TrailQuery:
        data = self.cleaned_data
        return TrailQuery(
            people=self.people,
            child_id=self.child_record.pk if self.child_record else None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            action=data["action"],
        )


@login_required
def search(request):
    """Search who looked at or changed what, across the service. Each search is logged, and each child on the
    page of results as listed, or as refused when shown only as a restricted record."""
    if not can_search_audit_trail(request.user):
        raise PermissionDenied("Only auditors search the audit trail")
    form = TrailSearchForm(request.GET or None)
    context = {"form": form, "page": None, "rows": []}
    if not form.is_bound:
        return render(request, "audit/search.html", context)
    if not form.is_valid():
        context["error_summary_params"] = error_summary(form)
        return render(request, "audit/search.html", context, status=400)
    page = Paginator(audit_trail(form.query()), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    people, children = trail_people(rows), trail_children(rows)
    visible = set(children_visible_to(request.user).filter(pk__in=children).values_list("pk", flat=True))
    audit_search_record(
        actor=request.user,
        filters={name: str(value) for name, value in form.cleaned_data.items() if value}
        | {"page": page.number},
        listed=visible,
        refused=set(children) - visible,
        path=request.get_full_path(),
    )
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context |= {
        "page": page,
        "rows": [_row(row, people, children, visible) for row in rows],
        "query_string": query_string.urlencode(),
    }
    return render(request, "audit/search.html", context)


def _row(row: dict, people: dict, children: dict, visible: set[int]) -> dict:
    child = children.get(row["row_child"])
    return {
        "at": row["row_at"],
        "who": people.get(row["row_user"]),
        "child": child if child is not None and child.pk in visible else None,
        "restricted": child is not None and child.pk not in visible,
        "action": row["row_action"],
        "is_change": row["row_source"] == "event",
        "what": row["row_what"],
        "from": row["row_from"] or "",
    }
