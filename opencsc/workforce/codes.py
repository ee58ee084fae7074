"""The children's social work workforce census (CSWW) code lists (returns.md §5)."""

from django.db import models


class ContractType(models.TextChoices):
    """How the person is engaged. The census knows only employed (AgencyWorker 0) and agency (1): a permanent or
    an interim (fixed-term) social worker is employed and paid directly by the council; an agency worker is not."""

    PERMANENT = "permanent", "Permanent"
    INTERIM = "interim", "Interim or fixed-term (employed by the council)"
    AGENCY = "agency", "Agency (not paid directly by the council)"


EMPLOYED_CONTRACTS = (ContractType.PERMANENT, ContractType.INTERIM)


class OrgRole(models.TextChoices):
    SENIOR_MANAGER = "1", "Senior manager"
    MIDDLE_MANAGER = "2", "Middle manager"
    FIRST_LINE_MANAGER = "3", "First-line manager"
    SENIOR_PRACTITIONER = "4", "Senior practitioner"
    CASE_HOLDER = "5", "Case holder"
    QUALIFIED_WITHOUT_CASES = "6", "Qualified without cases"


class StartOrigin(models.TextChoices):
    NEWLY_QUALIFIED = "1", "Newly qualified social worker"
    OTHER_LA_ENGLAND = "2", "Social worker role in another local authority in England"
    OUTSIDE_ENGLAND = "3", "Social worker role outside England"
    AGENCY = "4", "Agency or consultancy in social work (in England)"
    OTHER_NON_LA_SOCIAL_WORK = "5", "Other social work role outside a local authority (in England)"
    OTHER_SOCIAL_CARE = "6", "Other social care role (in England)"
    NON_SOCIAL_CARE = "7", "Non-social-care role, role outside England, no employment or career break"
    OTHER = "8", "Other"
    NOT_KNOWN = "9", "Not known"
    NOT_YET_COLLECTED = "10", "Not yet collected"


class ReasonLeave(models.TextChoices):
    RESIGNATION = "1", "Resignation"
    VOLUNTARY_REDUNDANCY = "2", "Voluntary redundancy"
    COMPULSORY_REDUNDANCY = "3", "Compulsory redundancy"
    DISMISSED = "4", "Dismissed"
    RETIRED = "5", "Retired"
    DECEASED = "6", "Deceased"
    MOVED_WITHIN_LA = "7", "Moved to a role within the council that is not children and family social work"
    OTHER = "8", "Other"
    NOT_KNOWN = "9", "Not known"
    NOT_YET_COLLECTED = "10", "Not yet collected"


class LeaverDestination(models.TextChoices):
    OTHER_LA_ENGLAND = "1", "Social worker role in another local authority in England"
    OUTSIDE_ENGLAND = "2", "Social worker role outside England"
    AGENCY = "3", "Agency or consultancy in social work (in England)"
    OTHER_NON_LA_SOCIAL_WORK = "4", "Other social work role outside a local authority (in England)"
    OTHER_SOCIAL_CARE = "5", "Other social care role (in England)"
    NON_SOCIAL_CARE = "6", "Non-social-care role, role outside England, no employment or career break"
    OTHER = "7", "Other"
    NOT_KNOWN = "8", "Not known"
    NOT_YET_COLLECTED = "9", "Not yet collected"


class GenderCurrent(models.TextChoices):
    NOT_KNOWN = "0", "Not known"
    MALE = "1", "Male"
    FEMALE = "2", "Female"
    NOT_SPECIFIED = "9", "Not specified"


class QualificationLevel(models.TextChoices):
    UNDERGRADUATE = "1", "Undergraduate"
    POSTGRADUATE = "2", "Postgraduate"
    OTHER = "3", "Other"


class AbsenceReason(models.TextChoices):
    MATERNITY = "MAT", "Maternity or paternity leave"
    OTHER_PAID = "OTH", "Other paid authorised absence"
    PUBLIC_DUTIES = "PUB", "Paid absence for public duties (for example jury service)"
    SICKNESS = "SIC", "Sick leave"
    TRAINING = "TRN", "Training"
    UNAUTHORISED = "UNA", "Unauthorised absence"
    UNPAID = "UNP", "Unpaid authorised absence"


class KnowledgeAndSkillsStatus(models.TextChoices):
    ASYE = "1", "Assessed and supported year in employment (ASYE)"
    FRONTLINE_PRACTITIONER = "2", "Frontline practitioner"
    PRACTICE_SUPERVISOR = "3", "Practice supervisor"
    PRACTICE_LEADER = "4", "Practice leader"
