"""The DfE CIN validator's eleven tables, built from a CIN census XML in one pass.

The validator's own reader (`cin_validator.ingress.XMLtoCSV`) grows every table with one `pd.concat` per child,
which is quadratic: 43 s for 5,000 children against well under a second here (returns.md §0.3). The tables
built here have the same names, columns, value types (text, or NA where an element is absent), generated IDs
(`CINdetailsID`, `AssessmentID`, `CPPID` counting 1..n within their parent) and row order as the validator's,
with one deliberate difference: every `CPPreviewDate` in a `<Reviews>` block becomes a row, where the validator
reads only the first of each block (returns.md §1.4).
"""

import pandas as pd

COLUMNS: dict[str, list[str]] = {
    "Header": [
        "Collection",
        "Year",
        "ReferenceDate",
        "SourceLevel",
        "LEA",
        "SoftwareCode",
        "Release",
        "SerialNo",
        "DateTime",
    ],
    "ChildIdentifiers": [
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "GenderCurrent",
        "Sex",
        "PersonDeathDate",
    ],
    "ChildCharacteristics": ["LAchildID", "Ethnicity"],
    "ChildProtectionPlans": [
        "LAchildID",
        "CINdetailsID",
        "CPPID",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
    ],
    "CINdetails": [
        "LAchildID",
        "CINdetailsID",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
    ],
    "CINplanDates": ["LAchildID", "CINdetailsID", "CINPlanStartDate", "CINPlanEndDate"],
    "Reviews": ["LAchildID", "CINdetailsID", "CPPID", "CPPreviewDate"],
    "Section47": [
        "LAchildID",
        "CINdetailsID",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "DateOfInitialCPC",
        "ICPCnotRequired",
    ],
    "Assessments": [
        "LAchildID",
        "CINdetailsID",
        "AssessmentID",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "AssessmentFactors",
    ],
    "AssessmentFactorsList": ["LAchildID", "CINdetailsID", "AssessmentID", "AssessmentFactor"],
    "Disabilities": ["LAchildID", "Disability"],
}


def _values(block, names, row: dict) -> dict:
    """Each named child element's text, NA when the element is absent (as the validator's `get_values`)."""
    for name in names:
        found = block.find(name) if block is not None else None
        row[name] = found.text if found is not None else pd.NA
    return row


def raw_rows(root) -> dict[str, list[dict]]:
    """The rows of each table, as plain dicts, in document order."""
    rows: dict[str, list[dict]] = {name: [] for name in COLUMNS}
    header = root.find("Header")
    row: dict = {}
    _values(header.find("CollectionDetails") if header is not None else None, COLUMNS["Header"][:3], row)
    _values(header.find("Source") if header is not None else None, COLUMNS["Header"][3:], row)
    rows["Header"].append(row)

    children = root.find("Children")
    for child in children.findall("Child") if children is not None else []:
        identifiers = _values(child.find("ChildIdentifiers"), COLUMNS["ChildIdentifiers"], {})
        child_id = identifiers["LAchildID"]
        rows["ChildIdentifiers"].append(identifiers)
        characteristics = child.find("ChildCharacteristics")
        rows["ChildCharacteristics"].append(_values(characteristics, ["Ethnicity"], {"LAchildID": child_id}))
        disabilities = characteristics.find("Disabilities") if characteristics is not None else None
        for disability in disabilities if disabilities is not None else []:
            rows["Disabilities"].append({"LAchildID": child_id, "Disability": disability.text})

        for details_id, details in enumerate(child.findall("CINdetails"), start=1):
            ids = {"LAchildID": child_id, "CINdetailsID": details_id}
            rows["CINdetails"].append(_values(details, COLUMNS["CINdetails"][2:], dict(ids)))
            for assessment_id, assessment in enumerate(details.findall("Assessments"), start=1):
                assessment_ids = {**ids, "AssessmentID": assessment_id}
                row = _values(assessment, COLUMNS["Assessments"][3:], dict(assessment_ids))
                factors_block = assessment.find("FactorsIdentifiedAtAssessment")
                if factors_block is not None and len(factors_block):
                    factors = [factor.text for factor in factors_block]
                    row["AssessmentFactors"] = factors
                    rows["AssessmentFactorsList"].extend(
                        {**assessment_ids, "AssessmentFactor": factor} for factor in factors
                    )
                rows["Assessments"].append(row)
            for plan in details.findall("CINPlanDates"):
                rows["CINplanDates"].append(_values(plan, COLUMNS["CINplanDates"][2:], dict(ids)))
            for enquiry in details.findall("Section47"):
                rows["Section47"].append(_values(enquiry, COLUMNS["Section47"][2:], dict(ids)))
            for plan_id, plan in enumerate(details.findall("ChildProtectionPlans"), start=1):
                plan_ids = {**ids, "CPPID": plan_id}
                rows["ChildProtectionPlans"].append(
                    _values(plan, COLUMNS["ChildProtectionPlans"][3:], dict(plan_ids))
                )
                for reviews in plan.findall("Reviews"):
                    rows["Reviews"].extend(
                        {**plan_ids, "CPPreviewDate": review.text}
                        for review in reviews.findall("CPPreviewDate")
                    )
    return rows


def cin_tables(root) -> dict[str, pd.DataFrame]:
    """The validator's tables, with date columns converted as its `process_data` does."""
    from cin_validator.utils import process_date_columns

    rows = raw_rows(root)
    tables = {}
    for name, columns in COLUMNS.items():
        frame = pd.DataFrame(rows[name], columns=columns).astype(object)
        tables[name] = process_date_columns(frame)
    return tables
