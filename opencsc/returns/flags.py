"""What an import found wrong in a return it read, kept as flags on the data-quality worklist.

The importers do not validate by refusing: a child is always kept with everything that can be read. A value
that breaks a rule is stored as given where its column can hold it (a UPN with a wrong check letter, a code
outside the DfE list, an episode that ceased without its reason), and left blank where it cannot (a date that
is not a real date, or is impossible: in the future, before the child's birth, before the start it ends). Each
is an `ImportFlag`: the rule (`IMPORT_RULES`), the reason, and the file and line (or sheet and row) it came
from, saved with the import as a run of the worklist at /returns/ (`services.import_flags_save`), so that the
authority can correct the record in OpenCSC. Only a row that cannot be stored at all (a required date that is
not a date) is left out, and that is flagged too.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

IMPORT_RULES: dict[str, str] = {
    "IMPORT-HEADER": "The return's header says which collection year it is for",
    "IMPORT-COLUMN": "A column the import reads is not in the file",
    "IMPORT-FIELDS": "A row has more or fewer fields than the file's header",
    "IMPORT-UPN": "A UPN has the form and check letter the DfE sets",
    "IMPORT-CODE": "A code is one in the DfE list",
    "IMPORT-REQUIRED": "A value the return requires is given",
    "IMPORT-DATE": "A date is a real date, in the return's form",
    "IMPORT-DATE-RANGE": "A date is not in the future, nor before the child's birth",
    "IMPORT-DATE-ORDER": "An end is not before its start",
    "IMPORT-DEC-REC": "A ceased episode (DEC) has its reason (REC), and a reason its date",
    "IMPORT-URN": "A placement in England that needs one has the provider's Ofsted URN",
    "IMPORT-PLACEMENT": "A placement has its provider and postcodes in the DfE's forms",
    "IMPORT-DISABILITY": "Disability NONE is not given beside other disability codes",
    "IMPORT-ID": "The LA child ID is at most 20 letters and digits",
    "IMPORT-DUPLICATE": "A child is listed once in a table that lists each child once",
    "IMPORT-SAME-CHILD": "A child has one LA child ID: a UPN is not given for two",
    "IMPORT-CHILD-DIFFERS": "A child's date of birth and gender are the same wherever the child is given",
    "IMPORT-NO-HEADER": "A child in the return's other tables is in its Header table",
    "IMPORT-NOT-STORED": "A row could not be stored at all",
}


@dataclass(frozen=True)
class ImportFlag:
    rule: str
    reason: str
    file: str
    line: int | None = None
    la_child_id: str = ""
    fields: str = ""  # "COLUMN=value; ..."
    sheet: str = ""

    @property
    def where(self) -> str:
        if self.sheet:
            return f"{self.file}, sheet '{self.sheet}'" + (f", row {self.line}" if self.line else "")
        return self.file + (f", line {self.line}" if self.line else "")

    def __str__(self) -> str:
        who = f" (child {self.la_child_id})" if self.la_child_id else ""
        return f"{self.where}{who}: {self.rule}: {self.reason}"


def field_label(model, name: str) -> str:
    field = model._meta.get_field(name)
    label = str(field.verbose_name)
    return label if label.upper() == label else label.capitalize()


def _empty(field):
    return None if field.null else ""


def clean_keeping(instance, *, exclude: list[str], flag: Callable[[str, str, str], None]) -> None:
    """`full_clean` for a row read from a return: a code outside its list is kept as given and a value its
    column cannot hold is left blank, each flagged with `flag(rule, reason, fields)`. Raises ValidationError
    for a problem that blanking cannot cure (a required date, a rule across fields)."""
    exclude = list(exclude)
    for _ in range(len(instance._meta.concrete_fields)):
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            return
        except ValidationError as error:
            if not hasattr(error, "error_dict") or NON_FIELD_ERRORS in error.error_dict:
                raise
            for name, problems in error.error_dict.items():
                field = instance._meta.get_field(name)
                value = getattr(instance, field.attname)
                label = field_label(type(instance), name)
                codes = {problem.code for problem in problems}
                exclude.append(name)
                if codes <= {"invalid_choice"}:
                    flag(
                        "IMPORT-CODE",
                        f"{label} '{value}' is not a code in the DfE list: kept as given",
                        f"{label}={value}",
                    )
                    continue
                if value == "" or (value is None and field.null):
                    flag("IMPORT-REQUIRED", f"{label} is blank", f"{label}=(blank)")
                    continue
                if value is None or not isinstance(value, str):
                    raise
                setattr(instance, field.attname, _empty(field))
                text = " ".join(message for problem in problems for message in problem.messages)
                flag(
                    "IMPORT-NOT-STORED",
                    f"{label} '{value}' cannot be stored ({text}): left blank",
                    f"{label}={value}",
                )
    raise ValidationError("the row could not be checked")


def date_problem(day: dt.date, *, born: dt.date | None, today: dt.date) -> str | None:
    """Why a date of an event in a child's life is impossible, or None."""
    if day > today:
        return "is in the future"
    if born is not None and day < born:
        return "is before the child's birth"
    return None
