"""The finance app's code lists: kinds of provider, how a placement is bought, kinds of cost change, scenarios."""

from django.db import models


class ProviderKind(models.TextChoices):
    IN_HOUSE_FOSTERING = "in_house_fostering", "In-house fostering household"
    IFA = "ifa", "Independent fostering agency"
    CHILDRENS_HOME_LA = "home_la", "Children's home: local authority"
    CHILDRENS_HOME_PRIVATE = "home_private", "Children's home: private"
    CHILDRENS_HOME_VOLUNTARY = "home_voluntary", "Children's home: voluntary"
    SUPPORTED = "supported", "Supported accommodation"
    SECURE = "secure", "Secure children's home"
    RESIDENTIAL_SCHOOL = "residential_school", "Residential school"
    PARENTS = "parents", "Parents (placed with parents)"
    CONNECTED_CARERS = "connected", "Connected carers (family and friends)"


# Kinds that Ofsted registers, so whose URN is asked for (connected carers and in-house households are approved by
# the authority under its own fostering service's URN, which may be given; parents never have one).
OFSTED_REGISTERED = {
    ProviderKind.IFA,
    ProviderKind.CHILDRENS_HOME_LA,
    ProviderKind.CHILDRENS_HOME_PRIVATE,
    ProviderKind.CHILDRENS_HOME_VOLUNTARY,
    ProviderKind.SUPPORTED,
    ProviderKind.SECURE,
}


class PurchaseRoute(models.TextChoices):
    IN_HOUSE = "in_house", "In-house (the authority's own provision)"
    FRAMEWORK = "framework", "Framework (a contracted price)"
    SPOT = "spot", "Spot purchase"


class CostChange(models.TextChoices):
    AGREED = "agreed", "Agreed at the start"
    UPLIFT = "uplift", "Uplift (annual or inflation)"
    ENHANCED = "enhanced", "Enhanced package (extra support)"
    REDUCED = "reduced", "Reduced package"
    CORRECTION = "correction", "Correction"


class ScenarioKind(models.TextChoices):
    FEWER_ENTRIES = "fewer_entries", "Fewer entries into a placement category, a year"
    MORE_ENTRIES = "more_entries", "More entries into a placement category, a year"
    STEP_DOWN = "step_down", "Children moved a month from one placement category to another"
