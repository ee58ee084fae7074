"""Test builders for the front door shared by its test modules."""


def partner_referral_form(**changes) -> dict:
    """A valid partner referral as the /refer/ form posts it; `changes` set fields, None leaves one out."""
    data = {
        "referrer_name": "Sam Dale",
        "referrer_role": "Police constable",
        "referrer_organisation": "Shire Police",
        "agency_type": "police",
        "referrer_email": "sam.dale@police.example",
        "referrer_phone": "01632 960 001",
        "child_1_first_name": "Leo",
        "child_1_last_name": "Hart",
        "child_1_date_of_birth-day": "1",
        "child_1_date_of_birth-month": "6",
        "child_1_date_of_birth-year": "2015",
        "child_1_address": "3 Mill Lane, Aylesbury",
        "child_1_postcode": "hp19 8ff",
        "concerns": "Officers attended a domestic incident at the home; Leo was present and upset.",
        "immediate_danger": "no",
        "parents_aware": "yes",
        "consent": "yes",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
