"""The CIN census XML projected from the domain model: element order, values and the census year's scope."""

import datetime as dt

from lxml import etree

from opencsc.returns.cin.export import cin_census_bytes

NOW = dt.datetime(2026, 4, 10, 9, 30)

GOLDEN = """<?xml version='1.0' encoding='UTF-8'?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2026</Year>
      <ReferenceDate>2026-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>825</LEA>
      <SoftwareCode>OpenCSC</SoftwareCode>
      <Release>{release}</Release>
      <SerialNo>001</SerialNo>
      <DateTime>2026-04-10T09:30:00</DateTime>
    </Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>C100001</LAchildID>
        <UPN>{upn}</UPN>
        <PersonBirthDate>2015-06-01</PersonBirthDate>
        <Sex>F</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>LD</Disability>
          <Disability>AUT</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-05-06</CINreferralDate>
        <ReferralSource>6</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <Assessments>
          <AssessmentActualStartDate>2025-05-06</AssessmentActualStartDate>
          <AssessmentInternalReviewDate>2025-06-20</AssessmentInternalReviewDate>
          <AssessmentAuthorisationDate>2025-06-24</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>16A</AssessmentFactors>
            <AssessmentFactors>3A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <CINPlanDates>
          <CINPlanStartDate>2026-02-19</CINPlanStartDate>
        </CINPlanDates>
        <Section47>
          <S47ActualStartDate>2025-05-07</S47ActualStartDate>
          <InitialCPCtarget>2025-05-29</InitialCPCtarget>
          <DateOfInitialCPC>2025-05-23</DateOfInitialCPC>
          <ICPCnotRequired>0</ICPCnotRequired>
        </Section47>
        <ReferralNFA>false</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2025-05-23</CPPstartDate>
          <CPPendDate>2026-02-18</CPPendDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2025-08-20</CPPreviewDate>
            <CPPreviewDate>2026-02-18</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""


def _release() -> str:
    from importlib.metadata import version

    return version("opencsc")


def test_a_protection_journey_exports_exactly(protected_child):
    """Referral, assessment, S47 with its ICPC target from the clock engine (15 working days from the strategy
    discussion on 7 May 2025, skipping the Spring bank holiday), ICPC, CP plan with both reviews."""
    xml = cin_census_bytes(2026, now=NOW).decode()
    assert xml == GOLDEN.format(release=_release(), upn=protected_child.upn)


def _children(xml: bytes) -> dict:
    root = etree.fromstring(xml)
    return {c.findtext("ChildIdentifiers/LAchildID"): c for c in root.iterfind("Children/Child")}


def test_the_census_year_decides_who_and_what_is_returned(census_authority):
    children = _children(cin_census_bytes(2026, now=NOW))
    assert sorted(children) == ["C100001", "C100002", "C100003", "C100004", "C100005"]

    nfa = children["C100002"]
    assert nfa.findtext("ChildIdentifiers/UPNunknown") == "UN7"
    assert [d.text for d in nfa.iterfind("ChildCharacteristics/Disabilities/Disability")] == ["NONE"]
    assert nfa.findtext("CINdetails/ReferralNFA") == "true"
    assert nfa.findtext("CINdetails/ReasonForClosure") == "RC7"
    assert nfa.find("CINdetails/PrimaryNeedCode") is None

    # The episode closed in March 2024 is not in the 2025-26 census; this year's is, with its closure.
    closed = children["C100003"]
    assert [d.findtext("CINreferralDate") for d in closed.iterfind("CINdetails")] == ["2025-10-06"]
    assert closed.findtext("CINdetails/CINclosureDate") == "2025-11-20"
    assert closed.findtext("CINdetails/Assessments/FactorsIdentifiedAtAssessment/AssessmentFactors") == "21"

    unborn = children["C100004"]
    assert unborn.find("ChildIdentifiers/PersonBirthDate") is None
    assert unborn.findtext("ChildIdentifiers/ExpectedPersonBirthDate") == "2026-06-01"
    assert unborn.findtext("ChildIdentifiers/Sex") == "U"
    open_assessment = unborn.find("CINdetails/Assessments")
    assert open_assessment.find("AssessmentAuthorisationDate") is None
    assert open_assessment.find("FactorsIdentifiedAtAssessment") is None

    # An assessment authorised last year stays in last year's file; the plan it led to is still open.
    carried = children["C100005"]
    assert carried.find("CINdetails/Assessments") is None
    assert carried.findtext("CINdetails/CINPlanDates/CINPlanStartDate") == "2024-12-19"
    assert carried.find("CINdetails/CINPlanDates/CINPlanEndDate") is None


def test_later_dates_are_not_yet_known_to_an_earlier_census(census_authority):
    """In the 2024-25 census the carried-over child's assessment is there and nobody referred later is; the
    episode that closed in March 2024 belongs to the 2023-24 census."""
    children = _children(cin_census_bytes(2025, now=NOW))
    assert sorted(children) == ["C100005"]
    carried = children["C100005"]
    assert carried.findtext("CINdetails/Assessments/AssessmentAuthorisationDate") == "2024-12-18"
    earlier = _children(cin_census_bytes(2024, now=NOW))
    assert sorted(earlier) == ["C100003"]
    assert earlier["C100003"].findtext("CINdetails/CINclosureDate") == "2024-03-01"
    # Censuses before 2024-25 carried GenderCurrent (2 = female), not Sex.
    assert earlier["C100003"].find("ChildIdentifiers/Sex") is None
    assert earlier["C100003"].findtext("ChildIdentifiers/GenderCurrent") == "2"


def test_dates_after_the_reference_date_are_left_out(protected_child):
    """Exported for 2024-25 nothing of this child appears; for 2025-26 a plan ending after 31 March 2026 is
    open, and a closure after it is not returned."""
    from opencsc.casework.models import ChildProtectionPlan
    from opencsc.frontdoor.models import Referral

    ChildProtectionPlan.objects.update(ended_on=dt.date(2026, 4, 2))
    Referral.objects.update(closed_on=dt.date(2026, 4, 20), closure_reason="RC7")
    child = _children(cin_census_bytes(2026, now=NOW))["C100001"]
    assert child.find("CINdetails/ChildProtectionPlans/CPPendDate") is None
    assert child.find("CINdetails/CINclosureDate") is None
    assert child.find("CINdetails/ReasonForClosure") is None
    assert _children(cin_census_bytes(2025, now=NOW)) == {}
