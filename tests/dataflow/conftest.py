import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.dataflow.receiver import CLIENT_ID, CLIENT_SECRET, SCOPE, SUPPLIER_KEY, running_receiver

LA_CODE = "825"
MORNING = dt.datetime(2026, 6, 15, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def receiver(settings):
    settings.AUTHORITY_LA_CODE = LA_CODE
    with running_receiver(LA_CODE) as running:
        settings.DATAFLOW = {
            "ENDPOINT": running.url,
            "TOKEN_URL": f"{running.url}/token",
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "SCOPE": SCOPE,
            "SUPPLIER_KEY": SUPPLIER_KEY,
            "BATCH_SIZE": 2,
            "TIMEOUT_SECONDS": 5,
            "RETRY_BASE_SECONDS": 60,
            "RETRY_MAX_SECONDS": 3600,
        }
        yield running
