"""A small authority's SSD tables, row by row, with the SSD's column names (the data flow's input)."""

import datetime as dt
import json
from collections import defaultdict
from itertools import count


class SsdTables:
    def __init__(self):
        self.tables = defaultdict(list)
        self._ids = count(1001)

    def _id(self) -> str:
        return str(next(self._ids))

    def _add(self, table: str, **row) -> dict:
        self.tables[table].append(row)
        return row

    def person(self, *, dob: dt.date | None, sex="F", forename="Ava", surname="Example", upn="A825000000011",
               ethnicity="WBRI", legacy_id=None, expected_dob=None, upn_unknown=None) -> str:  # fmt: skip
        person_id = self._id()
        self._add(
            "ssd_person",
            pers_person_id=person_id,
            pers_legacy_id=legacy_id,
            pers_upn=upn,
            pers_upn_unknown=upn_unknown,
            pers_forename=forename,
            pers_surname=surname,
            pers_dob=dob,
            pers_expected_dob=expected_dob,
            pers_sex=sex,
            pers_ethnicity=ethnicity,
        )
        return person_id

    def referral(self, person: str, *, on: dt.date, source="1A", closed=None, reason=None, nfa="N") -> str:
        referral_id = self._id()
        self._add(
            "ssd_cin_episodes",
            cine_referral_id=referral_id,
            cine_person_id=person,
            cine_referral_date=on,
            cine_referral_source_code=source,
            cine_close_date=closed,
            cine_close_reason=reason,
            cine_referral_nfa=nfa,
        )
        return referral_id

    def assessment(self, person, referral, *, start, authorised=None, factors=("1A",)) -> str:
        assessment_id = self._id()
        self._add(
            "ssd_cin_assessments",
            cina_assessment_id=assessment_id,
            cina_person_id=person,
            cina_referral_id=referral,
            cina_assessment_start_date=start,
            cina_assessment_auth_date=authorised,
        )
        self._add(
            "ssd_assessment_factors",
            cinf_assessment_id=assessment_id,
            cinf_assessment_factors_json=json.dumps(factors),
        )
        return assessment_id

    def cin_plan(self, person, referral, *, start, end=None) -> str:
        plan_id = self._id()
        self._add(
            "ssd_cin_plans",
            cinp_cin_plan_id=plan_id,
            cinp_person_id=person,
            cinp_referral_id=referral,
            cinp_cin_plan_start_date=start,
            cinp_cin_plan_end_date=end,
        )
        return plan_id

    def cp_plan(self, person, referral, *, start, end=None) -> str:
        plan_id = self._id()
        self._add(
            "ssd_cp_plans",
            cppl_cp_plan_id=plan_id,
            cppl_person_id=person,
            cppl_referral_id=referral,
            cppl_cp_plan_start_date=start,
            cppl_cp_plan_end_date=end,
        )
        return plan_id

    def section_47(self, person, referral, *, start, end=None, conference=None, conference_flag="Y") -> str:
        enquiry_id = self._id()
        self._add(
            "ssd_s47_enquiry",
            s47e_s47_enquiry_id=enquiry_id,
            s47e_person_id=person,
            s47e_referral_id=referral,
            s47e_s47_start_date=start,
            s47e_s47_end_date=end,
            s47e_s47_outcome_json=json.dumps({"CP_CONFERENCE_FLAG": conference_flag}),
        )
        if conference:
            self._add("ssd_initial_cp_conference", icpc_s47_enquiry_id=enquiry_id, icpc_icpc_date=conference)
        return enquiry_id

    def looked_after(self, person, referral, *, start, end=None, placement_type="U4", postcode="AB1 2CD",
                     start_reason="S", ceased=None, change_reason=None) -> tuple[str, str]:  # fmt: skip
        cla_id, placement_id = self._id(), self._id()
        self._add(
            "ssd_cla_episodes",
            clae_cla_id=cla_id,
            clae_person_id=person,
            clae_referral_id=referral,
            clae_cla_episode_start_date=start,
            clae_cla_episode_start_reason=start_reason,
            clae_cla_episode_ceased_date=end,
            clae_cla_episode_ceased_reason=ceased,
        )
        self._add(
            "ssd_cla_placement",
            clap_cla_placement_id=placement_id,
            clap_cla_id=cla_id,
            clap_cla_placement_start_date=start,
            clap_cla_placement_end_date=end,
            clap_cla_placement_type=placement_type,
            clap_cla_placement_postcode=postcode,
            clap_cla_placement_change_reason=change_reason,
        )
        return cla_id, placement_id

    def worker(self, referral, *, start, end=None, registration="SW123456", role="CW") -> str:
        professional_id = self._id()
        self._add(
            "ssd_professionals",
            prof_professional_id=professional_id,
            prof_social_worker_registration_no=registration,
        )
        self._add(
            "ssd_involvements",
            invo_involvements_id=self._id(),
            invo_professional_id=professional_id,
            invo_professional_role_id=role,
            invo_referral_id=referral,
            invo_involvement_start_date=start,
            invo_involvement_end_date=end,
        )
        return professional_id

    def disability(self, person, code):
        self._add("ssd_disability", disa_person_id=person, disa_disability_code=code)

    def address(self, person, *, postcode, start):
        self._add(
            "ssd_address",
            addr_person_id=person,
            addr_address_postcode=postcode,
            addr_address_start_date=start,
        )

    def uasc(self, person, *, end=None):
        self._add(
            "ssd_immigration_status",
            immi_person_id=person,
            immi_immigration_status="U",
            immi_immigration_status_end_date=end,
        )

    def sdq(self, person, *, on, score):
        self._add("ssd_sdq_scores", csdq_person_id=person, csdq_sdq_completed_date=on, csdq_sdq_score=score)

    def care_leaver(self, person, *, contact, activity="F2", accommodation="S"):
        self._add(
            "ssd_care_leavers",
            clea_person_id=person,
            clea_care_leaver_latest_contact=contact,
            clea_care_leaver_activity=activity,
            clea_care_leaver_accommodation=accommodation,
        )

    def permanence(self, person, cla, *, decided=None, matched=None, placed=None):
        self._add(
            "ssd_permanence",
            perm_person_id=person,
            perm_cla_id=cla,
            perm_adm_decision_date=decided,
            perm_matched_date=matched,
            perm_placed_for_adoption_date=placed,
        )
