"""SSDA903 code lists (DfE children looked after return), as the validator accepts them for 2025-26."""

from django.db import models


class ReasonNewEpisode(models.TextChoices):
    S = "S", "Started to be looked after"
    L = "L", "Change of legal status only"
    P = "P", "Change of placement and carer(s) only"
    T = "T", "Change of placement (same carers) only"
    B = "B", "Change of legal status and placement and carer(s)"
    U = "U", "Change of legal status and placement (same carers)"


PLACEMENT_CHANGING_REASONS = {"S", "P", "B", "T", "U"}


class LegalStatus(models.TextChoices):
    C1 = "C1", "Interim care order"
    C2 = "C2", "Full care order"
    D1 = "D1", "Freeing order"
    E1 = "E1", "Placement order"
    V2 = "V2", "Single period of accommodation under section 20"
    V3 = "V3", "Short breaks, episodes recorded"
    V4 = "V4", "Short breaks, agreements recorded"
    L1 = "L1", "Police protection"
    L2 = "L2", "Emergency protection order"
    L3 = "L3", "Child assessment order"
    J1 = "J1", "Remanded to local authority accommodation"
    J2 = "J2", "PACE accommodation"
    J3 = "J3", "Youth rehabilitation order with residence or intensive fostering"


SHORT_BREAK_STATUSES = {"V3", "V4"}


class CategoryOfNeed(models.TextChoices):
    N1 = "N1", "Abuse or neglect"
    N2 = "N2", "Child's disability"
    N3 = "N3", "Parental illness or disability"
    N4 = "N4", "Family in acute stress"
    N5 = "N5", "Family dysfunction"
    N6 = "N6", "Socially unacceptable behaviour"
    N7 = "N7", "Low income"
    N8 = "N8", "Absent parenting"


class PlacementType(models.TextChoices):
    A3 = "A3", "Placed for adoption with consent, with current foster carers"
    A4 = "A4", "Placed for adoption with consent, not with current foster carers"
    A5 = "A5", "Placed for adoption with a placement order, with current foster carers"
    A6 = "A6", "Placed for adoption with a placement order, not with current foster carers"
    K1 = "K1", "Secure children's home"
    K2 = "K2", "Children's home"
    K3 = "K3", "Supported accommodation"
    P1 = "P1", "With parents or a person with parental responsibility"
    P3 = "P3", "Residential employment"
    R1 = "R1", "Residential care home"
    R2 = "R2", "NHS or health trust or other medical or nursing establishment"
    R3 = "R3", "Family centre or mother and baby unit"
    R5 = "R5", "Young offender institution"
    S1 = "S1", "Residential school"
    T0 = "T0", "Temporary move of any kind"
    T1 = "T1", "Temporary: hospital"
    T2 = "T2", "Temporary: holiday"
    T3 = "T3", "Temporary: foster carer on holiday"
    T4 = "T4", "Temporary: up to 7 days, other reasons"
    U1 = "U1", "Foster placement with a relative or friend, long term"
    U2 = "U2", "Foster placement with a relative or friend, fostering for adoption or concurrent planning"
    U3 = "U3", "Foster placement with a relative or friend, other"
    U4 = "U4", "Foster placement with another carer, long term"
    U5 = "U5", "Foster placement with another carer, fostering for adoption or concurrent planning"
    U6 = "U6", "Foster placement with another carer, other"
    Z11 = "Z11", "Other placement (Z11)"
    Z12 = "Z12", "Other placement (Z12)"
    Z13 = "Z13", "Other placement (Z13)"
    Z14 = "Z14", "Other placement (Z14)"


LONG_TERM_PLACEMENTS = {"U1", "U4"}
URN_NOT_REQUIRED = {"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"}


class PlacementProvider(models.TextChoices):
    PR0 = "PR0", "Parents or other person with parental responsibility"
    PR1 = "PR1", "Own local authority"
    PR2 = "PR2", "Other local authority"
    PR3 = "PR3", "Other public provision"
    PR4 = "PR4", "Private provision"
    PR5 = "PR5", "Voluntary or third sector provision"


class ReasonEpisodeCeased(models.TextChoices):
    X1 = "X1", "Episode ceases and a new one starts on the same day"
    E11 = "E11", "Adopted: application unopposed"
    E12 = "E12", "Adopted: consent dispensed with"
    E2 = "E2", "Died"
    E3 = "E3", "Care taken over by another local authority in the UK"
    E4A = "E4A", "Returned home to parents as part of the care planning process"
    E4B = "E4B", "Returned home to parents, not as part of the care planning process"
    E13 = "E13", "Left care to live with parents, relatives or others with no parental responsibility"
    E41 = "E41", "Residence order or child arrangements order"
    E45 = "E45", "Special guardianship order to former foster carers (relative or friend)"
    E46 = "E46", "Special guardianship order to former foster carers (not relative or friend)"
    E47 = "E47", "Special guardianship order to carers other than former foster carers (relative or friend)"
    E48 = (
        "E48",
        "Special guardianship order to carers other than former foster carers (not relative or friend)",
    )
    E5 = "E5", "Moved into independent living with supportive accommodation"
    E6 = "E6", "Moved into independent living without formal support"
    E7 = "E7", "Transferred to residential care funded by adult social care"
    E8 = "E8", "Period of being looked after ceased for any other reason"
    E9 = "E9", "Sentenced to custody"
    E14 = "E14", "Accommodation on remand ended"
    E15 = "E15", "Age assessment determined child is 18 or over"
    E16 = "E16", "Child moved abroad"
    E17 = "E17", "Aged 18 or over and remained with current carers"


class ReasonPlacementChange(models.TextChoices):
    CARPL = "CARPL", "Change to or implementation of the care plan"
    CLOSE = "CLOSE", "Resignation or closure of provision"
    ALLEG = "ALLEG", "Allegation (section 47)"
    STAND = "STAND", "Standards of care concern"
    APPRR = "APPRR", "Approval removed"
    CREQB = "CREQB", "Carer requests placement end: child's behaviour"
    CREQO = "CREQO", "Carer requests placement end: other"
    CHILD = "CHILD", "Child requests placement end"
    LAREQ = "LAREQ", "Responsible or area authority requests placement end"
    PLACE = "PLACE", "Change of placement status only"
    CUSTOD = "CUSTOD", "Custody arrangement"
    OTHER = "OTHER", "Other"


class ReviewParticipation(models.TextChoices):
    PN0 = "PN0", "Child aged under 4 at the time of the review"
    PN1 = "PN1", "Child physically attends and speaks for themselves"
    PN2 = "PN2", "Child physically attends, an advocate speaks on their behalf"
    PN3 = "PN3", "Child attends and conveys their view symbolically (non-verbally)"
    PN4 = "PN4", "Child physically attends but does not speak for themselves or convey a view"
    PN5 = "PN5", "Child does not attend but briefs an advocate to speak for them"
    PN6 = "PN6", "Child does not attend but conveys their feelings by a facilitative medium"
    PN7 = "PN7", "Child does not attend nor are their views conveyed"


class MissingKind(models.TextChoices):
    MISSING = "M", "Missing"
    ABSENT = "A", "Away from placement without authorisation"


class SdqReason(models.TextChoices):
    SDQ1 = "SDQ1", "Child under 4 or over 16"
    SDQ2 = "SDQ2", "Carer refused"
    SDQ3 = "SDQ3", "Child's disability prevents it"
    SDQ4 = "SDQ4", "Other"
    SDQ5 = "SDQ5", "Young person refused"


class InTouch(models.TextChoices):
    YES = "YES", "In touch"
    NO = "NO", "Not in touch"
    DIED = "DIED", "Died"
    REFU = "REFU", "Young person refuses contact"
    NREQ = "NREQ", "Contact no longer required"
    RHOM = "RHOM", "Returned home to parents for 6 months or more"


class Activity(models.TextChoices):
    F1 = "F1", "Full-time higher education"
    P1 = "P1", "Part-time higher education"
    F2 = "F2", "Full-time education other than higher education"
    P2 = "P2", "Part-time education other than higher education"
    F4 = "F4", "Full-time training or employment"
    P4 = "P4", "Part-time training or employment"
    F5 = "F5", "Not in education, training or employment: illness or disability"
    P5 = "P5", "Not in education, training or employment: pregnancy or parenting"
    G4 = "G4", "Not in education, training or employment: other reasons"
    G5 = "G5", "Not in education, training or employment: illness or disability (other)"
    G6 = "G6", "Not in education, training or employment: pregnancy or parenting (other)"
    NONE = "0", "Not known"


class Accommodation(models.TextChoices):
    B = "B", "With parents or relatives"
    C = "C", "Community home or other residential care"
    D = "D", "Semi-independent, transitional accommodation"
    E = "E", "Supported lodgings"
    G = "G", "Gone abroad"
    H = "H", "Deported"
    K = "K", "Ordinary lodgings, without formal support"
    R = "R", "Residence not known"
    S = "S", "No fixed abode or homeless"
    T = "T", "Foyers and similar supported accommodation"
    U = "U", "Independent living"
    V = "V", "Emergency accommodation"
    W = "W", "Bed and breakfast"
    X = "X", "In custody"
    Y = "Y", "Other accommodation"
    Z = "Z", "With former foster carers"


class PreviousPermanence(models.TextChoices):
    P1 = "P1", "Adoption"
    P2 = "P2", "Special guardianship order"
    P3 = "P3", "Residence order or child arrangements order"
    P4 = "P4", "Unknown type of permanence order"
    Z1 = "Z1", "No previous permanence order"


class ReasonPlacedForAdoptionCeased(models.TextChoices):
    RD1 = "RD1", "The child's needs changed"
    RD2 = "RD2", "The court did not make a placement order"
    RD3 = "RD3", "Prospective adopters could not be found"
    RD4 = "RD4", "Any other reason"
