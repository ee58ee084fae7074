"""Posting records to the DfE children's social care API with OAuth2 client credentials.

Rules (as Data to Insight's sender does it, api_pipeline/auth.py, api.py and config.py at commit 41e6f19d):
- A token is asked for at the token URL with grant_type=client_credentials, the client id and secret in the form
  body (client_secret_post) and the configured scope; one token serves a delivery run.
- A batch is a JSON list of child records posted to `{endpoint}/children_social_care_data/{LA code}/children`,
  with the bearer token and the `SupplierKey` header (the DfE portal's subscription key) when one is set.
- The receiver answers 200 with a list holding one reference per record, in order. Any other answer is a failure
  with the status, what the DfE's status means and the start of the body; so is a timeout or a refused connection.
- Nothing here is hard-coded: every address and credential comes from settings.DATAFLOW (the environment). The
  secret and the token never reach a log or an error message.
"""

import json
from dataclasses import dataclass

import requests
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings

STATUS_MEANINGS = {
    400: "the payload was refused as malformed",
    401: "the token was refused",
    403: "this client may not send",
    413: "the batch is too large",
    429: "too many requests",
}
BODY_SHOWN = 300
REQUIRED = {
    "ENDPOINT": "OPENCSC_DATAFLOW_ENDPOINT",
    "TOKEN_URL": "OPENCSC_DATAFLOW_TOKEN_URL",
    "CLIENT_ID": "OPENCSC_DATAFLOW_CLIENT_ID",
    "CLIENT_SECRET": "OPENCSC_DATAFLOW_CLIENT_SECRET",
}


class NotConfigured(Exception):
    """The receiver's address or credentials are missing: nothing is tried and no send is marked."""


class DeliveryFailed(Exception):
    """One attempt failed; the message says why, without any secret."""


@dataclass(frozen=True)
class Receiver:
    endpoint: str
    token_url: str
    client_id: str
    client_secret: str
    scope: str
    supplier_key: str
    la_code: str
    timeout: int

    @property
    def children_url(self) -> str:
        return f"{self.endpoint.rstrip('/')}/children_social_care_data/{self.la_code}/children"


def receiver_from_settings() -> Receiver:
    config = settings.DATAFLOW
    missing = [variable for key, variable in REQUIRED.items() if not config.get(key)]
    if missing:
        raise NotConfigured(f"The data flow is not configured: set {', '.join(missing)}")
    return Receiver(
        endpoint=config["ENDPOINT"],
        token_url=config["TOKEN_URL"],
        client_id=config["CLIENT_ID"],
        client_secret=config["CLIENT_SECRET"],
        scope=config.get("SCOPE", ""),
        supplier_key=config.get("SUPPLIER_KEY", ""),
        la_code=settings.AUTHORITY_LA_CODE,
        timeout=config.get("TIMEOUT_SECONDS", 30),
    )


class Connection:
    """A session holding one client-credentials token."""

    def __init__(self, receiver: Receiver):
        self.receiver = receiver
        self.session = OAuth2Session(
            client_id=receiver.client_id,
            client_secret=receiver.client_secret,
            scope=receiver.scope or None,
            token_endpoint_auth_method="client_secret_post",
        )
        self.has_token = False

    def _fetch_token(self) -> None:
        try:
            self.session.fetch_token(
                self.receiver.token_url, grant_type="client_credentials", timeout=self.receiver.timeout
            )
        except Exception as error:  # network failures and OAuth errors alike end this attempt
            raise DeliveryFailed(f"No token from {self.receiver.token_url}: {_describe(error)}") from error
        self.has_token = True

    def post(self, records: list[dict]) -> list[str]:
        """Post one batch; the receiver's reference for each record, in order."""
        if not self.has_token:
            self._fetch_token()
        headers = {"Content-Type": "application/json"}
        if self.receiver.supplier_key:
            headers["SupplierKey"] = self.receiver.supplier_key
        try:
            response = self.session.post(
                self.receiver.children_url,
                data=json.dumps(records),
                headers=headers,
                timeout=self.receiver.timeout,
            )
        except requests.RequestException as error:
            raise DeliveryFailed(
                f"No answer from {self.receiver.children_url}: {_describe(error)}"
            ) from error
        return _receipts(response, expected=len(records))


def _receipts(response: requests.Response, *, expected: int) -> list[str]:
    body = response.text.strip()
    if response.status_code != 200:
        meaning = STATUS_MEANINGS.get(response.status_code, "unexpected answer")
        raise DeliveryFailed(f"HTTP {response.status_code} ({meaning}): {body[:BODY_SHOWN]}")
    try:
        receipts = json.loads(body)
    except ValueError:
        raise DeliveryFailed(f"HTTP 200 but the answer is not JSON: {body[:BODY_SHOWN]}") from None
    if not isinstance(receipts, list) or len(receipts) != expected:
        count = len(receipts) if isinstance(receipts, list) else "no list of"
        raise DeliveryFailed(f"HTTP 200 but {count} references for {expected} records")
    return [str(receipt) for receipt in receipts]


def _describe(error: Exception) -> str:
    return f"{error.__class__.__name__}: {error}"[:BODY_SHOWN]
