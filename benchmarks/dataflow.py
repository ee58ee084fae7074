"""The DfE data flow at scale: prints how long building, checking, queueing and posting the records takes for a
large cohort, then a changes-only run with nothing changed and one with a share of children changed.

    OPENCSC_DATA_DIR=/tmp/opencsc-dataflow-bench .venv/bin/python benchmarks/dataflow.py [--children N]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/dataflow.py [--children N]

The SSD tables are made here, deterministically for a seed (one to three referrals a child, assessments, a share
with child in need plans and workers, section 47 enquiries and protection plans, care with placements,
disabilities and addresses), unless --ssd-export builds them from the authority already in the database with
OpenCSC's SSD export. Records are posted to a receiver started by this script on 127.0.0.1 (a token endpoint and
the children endpoint, answering at once), so the figures are OpenCSC's side of the flow, not the DfE's. The data
flow's tables are emptied first. It prints figures; it asserts nothing.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-dataflow-bench")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from opencsc.dataflow.models import DataflowChild, DataflowRun, DataflowSend  # noqa: E402
from opencsc.dataflow.payload import build_payloads  # noqa: E402
from opencsc.dataflow.schema import schema_problems  # noqa: E402
from opencsc.dataflow.services import dataflow_deliver, dataflow_queue  # noqa: E402

TODAY = dt.date.today()
PLACEMENT_TYPES = ["U1", "U4", "U6", "K2", "R1", "P1"]
FACTORS = ["1A", "2B", "3A", "4B", "6A", "21", "22A"]


def ssd_rows(children: int, seed: int) -> dict[str, list[dict]]:
    """A cohort's SSD tables: every child with work in the window."""
    rng = random.Random(seed)
    tables: dict[str, list[dict]] = {}

    def add(table, **row):
        tables.setdefault(table, []).append(row)

    def on(days_back: int) -> dt.date:
        return TODAY - dt.timedelta(days=days_back)

    for number in range(children):
        person = f"P{number}"
        add(
            "ssd_person",
            pers_person_id=person,
            pers_legacy_id=f"L{number}",
            pers_upn=f"A825{number:09d}",
            pers_forename=rng.choice(["Ava", "Ben", "Cleo", "Dan", "Esme"]),
            pers_surname=rng.choice(["Smith", "Jones", "Khan", "Taylor"]),
            pers_dob=on(rng.randint(30, 17 * 365)),
            pers_sex=rng.choice("MF"),
            pers_ethnicity=rng.choice(["WBRI", "ABAN", "MWBC", "BAFR"]),
        )
        add(
            "ssd_address",
            addr_person_id=person,
            addr_address_postcode="HP19 8FF",
            addr_address_start_date=on(900),
        )
        if rng.random() < 0.1:
            add(
                "ssd_disability",
                disa_person_id=person,
                disa_disability_code=rng.choice(["HAND", "VIS", "LD"]),
            )
        for episode in range(rng.randint(1, 3)):
            referral = f"{person}-R{episode}"
            start = rng.randint(30, 700)
            closed = on(start - 25) if rng.random() < 0.5 else None
            add(
                "ssd_cin_episodes",
                cine_referral_id=referral,
                cine_person_id=person,
                cine_referral_date=on(start),
                cine_referral_source_code=rng.choice(["1A", "5A", "3B", "10", "7"]),
                cine_close_date=closed,
                cine_close_reason="RC8" if closed else None,
                cine_referral_nfa="N",
            )
            assessment = f"{referral}-A"
            add(
                "ssd_cin_assessments",
                cina_assessment_id=assessment,
                cina_referral_id=referral,
                cina_assessment_start_date=on(start - 1),
                cina_assessment_auth_date=on(start - 20),
            )
            add(
                "ssd_assessment_factors",
                cinf_assessment_id=assessment,
                cinf_assessment_factors_json=json.dumps(rng.sample(FACTORS, 2)),
            )
            _plans_and_care(add, rng, person, referral, on(start - 21), closed)
    return tables


def _plans_and_care(add, rng, person, referral, start, closed) -> None:
    chance = rng.random()
    if chance < 0.4:
        add(
            "ssd_cin_plans",
            cinp_cin_plan_id=f"{referral}-CIN",
            cinp_person_id=person,
            cinp_referral_id=referral,
            cinp_cin_plan_start_date=start,
            cinp_cin_plan_end_date=closed,
        )
        add(
            "ssd_professionals",
            prof_professional_id=f"{referral}-W",
            prof_social_worker_registration_no="SW1234",
        )
        add(
            "ssd_involvements",
            invo_professional_id=f"{referral}-W",
            invo_professional_role_id="CW",
            invo_referral_id=referral,
            invo_involvement_start_date=start,
            invo_involvement_end_date=closed,
        )
    elif chance < 0.6:
        enquiry = f"{referral}-S47"
        add(
            "ssd_s47_enquiry",
            s47e_s47_enquiry_id=enquiry,
            s47e_referral_id=referral,
            s47e_s47_start_date=start,
            s47e_s47_end_date=start + dt.timedelta(days=10),
            s47e_s47_outcome_json='{"CP_CONFERENCE_FLAG": "Y"}',
        )
        add(
            "ssd_initial_cp_conference",
            icpc_s47_enquiry_id=enquiry,
            icpc_icpc_date=start + dt.timedelta(days=14),
        )
        add(
            "ssd_cp_plans",
            cppl_cp_plan_id=f"{referral}-CP",
            cppl_person_id=person,
            cppl_referral_id=referral,
            cppl_cp_plan_start_date=start + dt.timedelta(days=14),
            cppl_cp_plan_end_date=closed,
        )
    elif chance < 0.75:
        cla = f"{referral}-CLA"
        add(
            "ssd_cla_episodes",
            clae_cla_id=cla,
            clae_person_id=person,
            clae_referral_id=referral,
            clae_cla_episode_start_reason="S",
            clae_cla_episode_ceased_reason="E13" if closed else None,
        )
        for move in range(rng.randint(1, 3)):
            add(
                "ssd_cla_placement",
                clap_cla_placement_id=f"{cla}-{move}",
                clap_cla_id=cla,
                clap_cla_placement_start_date=start + dt.timedelta(days=move * 7),
                clap_cla_placement_end_date=start + dt.timedelta(days=move * 7 + 7) if move < 2 else closed,
                clap_cla_placement_type=rng.choice(PLACEMENT_TYPES),
                clap_cla_placement_postcode="HP20 1AA",
            )


class _Receiver(BaseHTTPRequestHandler):
    records = 0

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/token":
            answer = {"access_token": uuid.uuid4().hex, "token_type": "Bearer", "expires_in": 3600}
        else:
            posted = json.loads(body)
            type(self).records += len(posted)
            answer = [f"ref_{n}" for n in range(len(posted))]
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _start_receiver() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def _timed(label: str, work):
    started = time.perf_counter()
    result = work()
    print(f"{label:<48} {time.perf_counter() - started:>8.2f} s")
    return result


def _change_some(tables, rng, share: float) -> int:
    changed = 0
    for row in tables["ssd_cin_episodes"]:
        if row["cine_close_date"] is None and rng.random() < share:
            row["cine_close_date"], row["cine_close_reason"] = TODAY, "RC1"
            changed += 1
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument(
        "--changed", type=float, default=0.05, help="share of open referrals closed before run 3"
    )
    parser.add_argument("--ssd-export", action="store_true", help="build from this database's SSD export")
    arguments = parser.parse_args()

    call_command("migrate", interactive=False, verbosity=0)
    url = _start_receiver()
    settings.DATAFLOW = {
        **settings.DATAFLOW,
        "ENDPOINT": url,
        "TOKEN_URL": f"{url}/token",
        "CLIENT_ID": "bench",
        "CLIENT_SECRET": "bench-secret",
        "BATCH_SIZE": arguments.batch_size,
    }
    for model in (DataflowSend, DataflowRun, DataflowChild):
        model.objects.all().delete()

    if arguments.ssd_export:
        from opencsc.returns.ssd.export import ssd_tables

        tables = _timed("SSD export of this database", ssd_tables)
    else:
        tables = _timed(
            f"SSD rows for {arguments.children:,} children",
            lambda: ssd_rows(arguments.children, arguments.seed),
        )
    rows = sum(len(rows) for rows in tables.values())
    print(
        f"{connection.vendor}: {rows:,} SSD rows in {len(tables)} tables; batches of {arguments.batch_size}"
    )

    payloads = _timed(
        "build the records (payload.build_payloads)", lambda: build_payloads(tables, today=TODAY)
    )
    size = sum(len(json.dumps(record)) for record in payloads.values())
    print(f"    {len(payloads):,} children in the cohort, {size / 2**20:.1f} MiB of JSON")
    _timed("check them against the schema", lambda: [schema_problems(record) for record in payloads.values()])

    run = _timed(
        "queue, full (build, check, hash, write)",
        lambda: dataflow_queue(actor=None, mode="full", tables=tables),
    )
    delivery = _timed("deliver to the local receiver", lambda: dataflow_deliver(actor=None))
    print(
        f"    run {run.pk}: {run.queued:,} queued, {len(delivery.sent):,} batches, {delivery.records_sent:,} records"
    )

    run = _timed(
        "queue, changes only, nothing changed",
        lambda: dataflow_queue(actor=None, mode="changes", tables=tables),
    )
    print(f"    {run.queued:,} queued, {run.unchanged:,} unchanged")

    changed = _change_some(tables, random.Random(arguments.seed), arguments.changed)
    run = _timed(
        f"queue, changes only, {changed:,} referrals closed",
        lambda: dataflow_queue(actor=None, mode="changes", tables=tables),
    )
    delivery = _timed("deliver the changes", lambda: dataflow_deliver(actor=None))
    print(f"    {run.queued:,} queued, {run.unchanged:,} unchanged; {delivery.records_sent:,} records sent")
    print(f"Records the receiver took: {_Receiver.records:,}")


if __name__ == "__main__":
    main()
