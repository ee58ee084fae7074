from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse

from opencsc.accounts.access import (
    can_change_child,
    can_create_child,
    can_restrict_child,
    can_search_children,
    can_see_access_log,
)
from opencsc.api.selectors import partner_lookups_of
from opencsc.attachments.selectors import child_attachments
from opencsc.audit.models import AccessKind
from opencsc.audit.services import record_access_log, record_access_log_list
from opencsc.casework.chronology import chronology_add_manual
from opencsc.casework.selectors import (
    allocation_history,
    chronology_for,
    chronology_shown_to,
    current_allocation,
    notes_for_child,
    notes_shown_to,
)
from opencsc.casework.services import ALLOCATING_ROLES
from opencsc.casework.statutory import open_statutory_work_labels
from opencsc.documents.selectors import documents_by_record
from opencsc.looked_after.selectors import care_summary
from opencsc.people import selectors, services
from opencsc.people.decorators import child_record_view
from opencsc.people.forms import (
    AddressForm,
    AlertForm,
    AliasForm,
    ChildCreateForm,
    ChildEditForm,
    ChronologyEntryForm,
    RelationshipForm,
    RestrictForm,
    SearchForm,
)
from opencsc.people.models import Child
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation
from opencsc.ui.steps import form_step

RECENT_FILES = 5
DETAIL_FIELDS = [
    "first_name",
    "middle_names",
    "last_name",
    "date_of_birth",
    "expected_date_of_birth",
    "sex",
    "ethnicity",
    "first_language",
    "nhs_number",
    "upn",
    "upn_unknown_reason",
]


def _render_form(request, template, form, **context):
    return render(request, template, {"form": form, "error_summary_params": error_summary(form), **context})


@login_required
def search(request):
    if not can_search_children(request.user):
        raise PermissionDenied("Your role does not include searching children's records")
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = selectors.child_search(user=request.user, text=form.cleaned_data["q"])
        record_access_log_list(
            user=request.user, child_ids=[child.pk for child in results], path=request.get_full_path()
        )
    context = {"form": form, "results": results, "can_create": can_create_child(request.user)}
    return render(request, "people/search.html", context)


@login_required
@creates_record
def create(request):
    if not can_create_child(request.user):
        raise PermissionDenied("Your role does not include creating children's records")
    form = ChildCreateForm(request.POST or None)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.likely_duplicates(
            user=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            nhs_number=data["nhs_number"],
            upn=data["upn"],
        )
        has_duplicates = duplicates.visible or duplicates.hidden_count
        if has_duplicates and not data["confirm_not_duplicate"]:
            form.add_error(
                "confirm_not_duplicate",
                "This child may already have a record: check the records below, then confirm",
            )
        else:
            try:
                child = _create_child(request.user, data)
            except ValidationError as error:
                field_errors_from_validation(form, error)
            else:
                messages.success(request, f"Record created for {child.full_name} ({child.la_child_id})")
                return redirect("people:detail", child_id=child.pk)
    return _render_form(request, "people/create.html", form, duplicates=duplicates)


@transaction.atomic
def _create_child(actor, data: dict) -> Child:
    child = services.child_create(actor=actor, **{field: data[field] for field in DETAIL_FIELDS})
    if data["disabilities"]:
        services.child_set_disabilities(actor=actor, child=child, codes=data["disabilities"])
    if data["postcode"]:
        services.address_move_in(
            actor=actor,
            child=child,
            line_1=data["line_1"],
            line_2=data["line_2"],
            town=data["town"],
            postcode=data["postcode"],
            moved_in_on=data["date_of_birth"] or child.created_at.date(),
        )
    return child


@child_record_view()
def detail(request, child):
    looked_after = care_summary(child)
    context = {
        "child": child,
        "address": selectors.child_current_address(child),
        "alerts": list(selectors.child_open_alerts(child)),
        "allocation": current_allocation(child),
        "worker_count": allocation_history(child).values("worker").distinct().count(),
        "aliases": list(child.aliases.all()),
        "disabilities": [d.get_code_display() for d in child.disabilities.all()],
        "relationships": selectors.relationships_shown_to(user=request.user, child=child, path=request.path),
        "recent_chronology": chronology_shown_to(
            chronology_for(child, significant_only=True)[:8], user=request.user, path=request.path
        ),
        "recent_notes": notes_shown_to(
            notes_for_child(child, user=request.user)[:5], user=request.user, path=request.path
        ),
        "can_change": can_change_child(request.user, child),
        "open_work": open_statutory_work_labels(child),
        "looked_after": looked_after,
        "can_see_access_log": can_see_access_log(request.user, child),
        "can_allocate": can_change_child(request.user, child) and request.user.role in ALLOCATING_ROLES,
        "can_restrict": not child.is_restricted and can_restrict_child(request.user, child),
        "due": selectors.child_due_items(child, care_clocks=looked_after.clocks),
        "files": child_attachments(child, limit=RECENT_FILES),
        "partner_lookups": partner_lookups_of(child),
        "documents": documents_by_record(child),
    }
    return render(request, "people/detail.html", context)


@child_record_view(change=True)
def edit(request, child):
    initial = {field: getattr(child, field) for field in [*DETAIL_FIELDS, "date_of_death"]}
    form = ChildEditForm(request.POST or None, initial={**initial, "version": child.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.child_update(
                actor=request.user,
                child=child,
                expected_version=data["version"],
                **{field: data[field] for field in [*DETAIL_FIELDS, "date_of_death"]},
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, "Details saved")
            return redirect("people:detail", child_id=child.pk)
    return _render_form(request, "people/edit.html", form, child=child)


def _simple_child_form(request, child, form_class, template, save, success: str):
    return form_step(
        request,
        form=form_class(request.POST or None),
        save=save,
        success=success,
        done_url=reverse("people:detail", args=[child.pk]),
        template=template,
        context={"child": child},
    )


@child_record_view(change=True)
@creates_record
def add_alias(request, child):
    return _simple_child_form(
        request,
        child,
        AliasForm,
        "people/alias.html",
        lambda data: services.alias_add(actor=request.user, child=child, **data),
        "Name added",
    )


@child_record_view(change=True)
@creates_record
def move_address(request, child):
    return _simple_child_form(
        request,
        child,
        AddressForm,
        "people/address.html",
        lambda data: services.address_move_in(actor=request.user, child=child, **data),
        "Address recorded",
    )


@child_record_view(change=True)
@creates_record
def raise_alert(request, child):
    return _simple_child_form(
        request,
        child,
        AlertForm,
        "people/alert.html",
        lambda data: services.alert_raise(actor=request.user, child=child, **data),
        "Alert raised",
    )


@child_record_view(change=True)
@creates_record
def add_relationship(request, child):
    def save(data):
        related_child = None
        if data["related_child_la_id"]:
            related_child = (
                selectors.children_visible_to(request.user)
                .filter(la_child_id__iexact=data["related_child_la_id"].strip())
                .first()
            )
            if related_child is None:
                raise ValidationError({"related_child_la_id": "No child you can see has that LA ID"})
        person = None
        if related_child is None:
            person = services.person_create(
                actor=request.user,
                kind=_person_kind(data["kind"]),
                first_name=data["first_name"],
                last_name=data["last_name"],
                organisation=data["organisation"],
                phone=data["phone"],
            )
        services.relationship_add(
            actor=request.user,
            child=child,
            kind=data["kind"],
            related_child=related_child,
            person=person,
            has_parental_responsibility=data["has_parental_responsibility"],
            lives_with_child=data["lives_with_child"],
        )

    return _simple_child_form(
        request,
        child,
        RelationshipForm,
        "people/relationship.html",
        transaction.atomic(save),
        "Relationship added",
    )


def _person_kind(relationship_kind: str) -> str:
    from opencsc.people.models import PersonKind, RelationshipType

    professional = {
        RelationshipType.GP,
        RelationshipType.HEALTH_VISITOR,
        RelationshipType.SCHOOL,
        RelationshipType.POLICE,
        RelationshipType.OTHER_PROFESSIONAL,
    }
    carers = {RelationshipType.FOSTER_CARER, RelationshipType.KINSHIP_CARER}
    if relationship_kind in professional:
        return PersonKind.PROFESSIONAL
    return PersonKind.CARER if relationship_kind in carers else PersonKind.FAMILY


@child_record_view()
@creates_record
def chronology(request, child):
    can_change = can_change_child(request.user, child)
    form = ChronologyEntryForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("You cannot add to this chronology")
        if form.is_valid():
            try:
                chronology_add_manual(actor=request.user, child=child, **form.cleaned_data)
            except ValidationError as error:
                field_errors_from_validation(form, error)
            else:
                messages.success(request, "Entry added to the chronology")
                return redirect("people:chronology", child_id=child.pk)
    significant_only = request.GET.get("show") != "all"
    entries = chronology_shown_to(
        chronology_for(child, significant_only=significant_only), user=request.user, path=request.path
    )
    return render(
        request,
        "people/chronology.html",
        {
            "child": child,
            "entries": entries,
            "form": form,
            "significant_only": significant_only,
            "error_summary_params": error_summary(form),
        },
    )


@child_record_view()
def access_log(request, child):
    if not can_see_access_log(request.user, child):
        raise PermissionDenied("Only managers and auditors can see who has looked at a record")
    return render(
        request, "people/access_log.html", {"child": child, "accesses": selectors.child_access_log(child)}
    )


@child_record_view()
def print_summary(request, child):
    """A printable summary of the record. Printing takes data out of the system, so it is logged as an export."""
    record_access_log(user=request.user, child=child, kind=AccessKind.EXPORT, path=request.path)
    context = {
        "child": child,
        "address": selectors.child_current_address(child),
        "addresses": list(child.addresses.all()),
        "alerts": list(selectors.child_open_alerts(child)),
        "allocation": current_allocation(child),
        "relationships": selectors.relationships_shown_to(user=request.user, child=child, path=request.path),
        "entries": chronology_shown_to(
            chronology_for(child, significant_only=True), user=request.user, path=request.path
        ),
    }
    return render(request, "people/print.html", context)


@child_record_view(change=True)
def restrict(request, child):
    if not can_restrict_child(request.user, child):
        raise PermissionDenied("Only team managers and heads of service can restrict a record")
    form = RestrictForm(request.POST or None, staff=selectors.staff_who_could_be_named())
    if request.method == "POST" and form.is_valid():
        services.child_restrict(actor=request.user, child=child, named_users=list(form.cleaned_data["named"]))
        messages.success(request, "The record is now restricted to the people named")
        return redirect("people:detail", child_id=child.pk)
    return _render_form(request, "people/restrict.html", form, child=child)
