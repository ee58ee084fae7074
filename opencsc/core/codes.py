"""DfE code lists shared by the CIN census, SSDA903 and the pages that record them."""

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Unknown or not yet born"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HEAR = "HEAR", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Autism or Asperger syndrome"
    DDA = "DDA", "Other disability"


class UPNUnknownReason(models.TextChoices):
    UN1 = "UN1", "Child is not of school age"
    UN2 = "UN2", "Child has never attended a maintained school in England"
    UN3 = "UN3", "Child is educated outside England"
    UN4 = "UN4", "Child is newly looked after and the UPN is not yet known"
    UN5 = "UN5", "Sources collating UPNs reflect a discrepancy"
    UN6 = "UN6", "Child is under 6 and not yet at school"
    UN7 = "UN7", "Referral with no further action"


class ReferralSource(models.TextChoices):
    FAMILY = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance (including neighbours and childminders)"
    SELF = "1C", "Individual: self"
    INDIVIDUAL_OTHER = "1D", "Individual: other (including strangers)"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    SCHOOL_NURSE = "3C", "Health: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "Health: other primary health services"
    A_AND_E = "3E", "Health: A&E"
    HEALTH_OTHER = "3F", "Health: other (for example hospice)"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "LA services: social care (for example adults)"
    LA_OTHER_INTERNAL = "5B", "LA services: other internal (for example youth offending)"
    LA_EXTERNAL = "5C", "LA services: external (for example another authority)"
    EARLY_HELP = "5D", "LA services: early help"
    POLICE = "6", "Police"
    LEGAL_AGENCY = "7", "Other legal agency (courts, probation, immigration, Cafcass, prison)"
    OTHER = "8", "Other (children's centres, voluntary organisations)"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class SourceGroup(models.TextChoices):
    """The groups demand is watched by: what a head of service means by 'police referrals' or 'health'."""

    INDIVIDUALS = "individuals", "Individuals"
    EDUCATION = "education", "Schools and education"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    LA_SERVICES = "la_services", "Local authority services"
    POLICE = "police", "Police"
    LEGAL = "legal", "Other legal agencies"
    OTHER = "other", "Other, anonymous or unknown"


def source_group(code: str) -> SourceGroup:
    prefix_groups = {
        "1": SourceGroup.INDIVIDUALS,
        "2": SourceGroup.EDUCATION,
        "3": SourceGroup.HEALTH,
        "4": SourceGroup.HOUSING,
        "5": SourceGroup.LA_SERVICES,
        "6": SourceGroup.POLICE,
        "7": SourceGroup.LEGAL,
    }
    if code in ("8", "9", "10"):
        return SourceGroup.OTHER
    return prefix_groups.get(code[:1], SourceGroup.OTHER)


class PrimaryNeed(models.TextChoices):
    N0 = "N0", "Not stated"
    N1 = "N1", "Abuse or neglect"
    N2 = "N2", "Child's disability"
    N3 = "N3", "Parental disability or illness"
    N4 = "N4", "Family in acute stress"
    N5 = "N5", "Family dysfunction"
    N6 = "N6", "Socially unacceptable behaviour"
    N7 = "N7", "Low income"
    N8 = "N8", "Absent parenting"
    N9 = "N9", "Cases other than children in need"


class ReasonForClosure(models.TextChoices):
    RC1 = "RC1", "Adopted"
    RC2 = "RC2", "Died"
    RC3 = "RC3", "Child arrangements order"
    RC4 = "RC4", "Special guardianship order"
    RC5 = "RC5", "Transferred to another local authority"
    RC6 = "RC6", "Transferred to adult social care"
    RC7 = "RC7", "Services ceased for any other reason, including child no longer in need"
    RC8 = "RC8", "Case closed after assessment, no further action"
    RC9 = "RC9", "Case closed after assessment, referred to early help"
