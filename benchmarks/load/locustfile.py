"""A day's mix of council staff against a running OpenCSC, for locust (benchmarks/load_test.py starts it).

Each simulated person signs in with their own account (password, then a TOTP code worked out from their key, as
an authenticator app would) and then works as their role does, with a pause between pages:

- social workers search for a child on their caseload, open the record, write and finalise a visit note, and look
  at their caseload and their team's work;
- front-door workers work the front-door queue, open contacts from it and search;
- team managers look at their team's work and their own caseload, search and open records, now and then a note;
- leaders (heads of service, the director, performance analysts) open the dashboard and the service's work, and
  search.

Every form is sent as a browser sends it: fetched first, every field the page holds (the CSRF field and the
one-time form token among them) sent back with what the person typed, with the Origin and Referer headers a
browser adds. The accounts come from the JSON file in OPENCSC_LOAD_ACCOUNTS (written by load_test.py): each
account is used by one simulated person only, as a TOTP code is accepted once. Each note the service answers as
finalised is appended to OPENCSC_LOAD_NOTES (one JSON line: note id, title, author), so the runner can check every
one is in the database afterwards.

In a council the service runs behind a TLS proxy: with OPENCSC_LOAD_BEHIND_TLS_PROXY=1 requests carry the
proxy's X-Forwarded-Proto (and the Secure cookies are sent, as a browser does to a local address). Every request
carries X-Forwarded-For, one of OPENCSC_LOAD_OFFICES office addresses, and Connection: close as nginx sends to
its upstream, so sign-in throttling sees offices, not
one machine (it is believed only with OPENCSC_TRUSTED_PROXIES set, as in production behind the proxy).
"""

import json
import os
import random
import re
import threading
import time
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlparse

import pyotp
from locust import HttpUser, between, task

ACCOUNTS_FILE = os.environ.get("OPENCSC_LOAD_ACCOUNTS", "")
NOTES_FILE = os.environ.get("OPENCSC_LOAD_NOTES", "")
RUN_ID = os.environ.get("OPENCSC_LOAD_RUN", time.strftime("%Y%m%d%H%M%S"))
OFFICES = max(1, int(os.environ.get("OPENCSC_LOAD_OFFICES", "4")))
# "1": the service sits behind a TLS proxy (production settings): the proxy's X-Forwarded-Proto is sent and the
# browser's Origin is https. Otherwise the host's own scheme (the test live server).
BEHIND_TLS_PROXY = os.environ.get("OPENCSC_LOAD_BEHIND_TLS_PROXY", "0") == "1"


def _seconds(variable: str, default: str) -> tuple[float, float]:
    low, high = (float(part) for part in os.environ.get(variable, default).split(","))
    return low, high


# Seconds between one page and the next, and spent writing a note before pressing Finalise.
THINK_SECONDS = _seconds("OPENCSC_LOAD_THINK", "3,12")
TYPING_SECONDS = _seconds("OPENCSC_LOAD_TYPING", "20,60")
# The tests' live server runs on a travelled clock: the time it showed when locust started, so codes match it.
SERVER_CLOCK_OFFSET = (
    float(os.environ["OPENCSC_LOAD_SERVER_CLOCK"]) - time.time()
    if os.environ.get("OPENCSC_LOAD_SERVER_CLOCK")
    else 0.0
)
CHILD_LINK = re.compile(r'href="/children/(\d+)/"')
CONTACT_LINK = re.compile(r'href="/front-door/contacts/(\d+)/"')
NOTE_PAGE = re.compile(r"/notes/(\d+)/$")
ERROR_SUMMARY = re.compile(r'govuk-error-summary__list">(.*?)</ul>', re.S)

_accounts_lock = threading.Lock()
_notes_lock = threading.Lock()
_accounts: dict[str, list[dict]] | None = None


def _load_accounts() -> dict[str, list[dict]]:
    global _accounts
    if _accounts is None:
        _accounts = json.loads(Path(ACCOUNTS_FILE).read_text()) if ACCOUNTS_FILE else {}
    return _accounts


def take_account(kind: str) -> dict | None:
    """The next unused account of this kind: one person per account."""
    with _accounts_lock:
        waiting = _load_accounts().get(kind, [])
        return waiting.pop(0) if waiting else None


def report_note(record: dict) -> None:
    if not NOTES_FILE:
        return
    with _notes_lock, open(NOTES_FILE, "a") as notes:
        notes.write(json.dumps(record) + "\n")


def send_secure_cookies_over_the_local_hop() -> None:
    """The proxy in front speaks TLS; between locust and gunicorn it is plain HTTP on one machine, so the Secure
    session and CSRF cookies must still be sent back, as a browser sends them to a local address. requests copies
    each session's cookies into a fresh jar with the default policy for every request: only the default policy
    itself can be told, and this process is the load tool's alone."""
    DefaultCookiePolicy.return_ok_secure = lambda policy, cookie, request: True


class FormReader(HTMLParser):
    """The fields of the forms on a page as a browser would send them: hidden and filled inputs, checked boxes
    and radios, selected options, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attributes, "fields": []})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in {"submit", "button", "image", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            fields.append((name, attributes.get("value", "on" if kind in {"checkbox", "radio"} else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            fields.append((self._select, attributes.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append((name, ""))

    def handle_data(self, data):
        if self._textarea and self.forms:
            name, text = self.forms[-1]["fields"][-1]
            self.forms[-1]["fields"][-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str, *, containing: str) -> list[tuple[str, str]] | None:
    """The fields of the first form on the page that has a field of this name."""
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        posted = form["attrs"].get("method", "get").lower() == "post"
        if posted and any(name == containing for name, _ in form["fields"]):
            return form["fields"]
    return None


def filled(fields: list[tuple[str, str]], **typed: str) -> list[tuple[str, str]]:
    """The page's fields with what the person typed replacing them (a field typed but not on the page is added)."""
    kept = [(name, value) for name, value in fields if name not in typed]
    return kept + list(typed.items())


def page_errors(html: str) -> str:
    found = ERROR_SUMMARY.search(html)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else "no error summary"


class Staff(HttpUser):
    """One member of staff: signs in once, then works. Subclasses say which accounts and what work."""

    abstract = True
    kind = ""
    wait_time = between(*THINK_SECONDS)

    def on_start(self):
        self.account = take_account(self.kind)
        if self.account is None:
            raise RuntimeError(f"No {self.kind} account left: load_test.py made too few")
        host = urlparse(self.host)
        self.origin = f"https://{host.netloc}" if BEHIND_TLS_PROXY else f"{host.scheme}://{host.netloc}"
        office = random.Random(self.account["username"]).randrange(OFFICES)
        self.client.headers.update({"X-Forwarded-For": f"10.20.{office}.1", "User-Agent": "opencsc-load"})
        if BEHIND_TLS_PROXY:
            send_secure_cookies_over_the_local_hop()
            # nginx opens a new connection to gunicorn for each request (no upstream keep-alive by default), so
            # gunicorn never closes an idle kept-alive connection just as a request arrives on it.
            self.client.headers.update({"X-Forwarded-Proto": "https", "Connection": "close"})
        self.notes_written = 0
        self.sign_in()

    # -- pages -------------------------------------------------------------------------------------------------

    def get(self, path: str, name: str, **params):
        with self.client.get(path, name=name, params=params or None, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} at {response.url or path}: {response.error or ''}")
            return response

    def post_form(self, path: str, fields, name: str, expect: re.Pattern | None = None):
        """Send a form as a browser does; a success is a redirect to a page matching `expect`."""
        headers = {"Origin": self.origin, "Referer": f"{self.origin}{path}"}
        with self.client.post(path, data=fields, headers=headers, name=name, catch_response=True) as response:
            landed = urlparse(response.url).path
            if response.status_code != 200:
                response.failure(f"{response.status_code} at {landed or path}: {response.error or ''}")
            elif not response.history:
                response.failure(f"the form came back: {page_errors(response.text)}")
            elif expect is not None and not expect.search(landed):
                response.failure(f"went to {landed}")
            return response

    def sign_in(self):
        page = self.get("/accounts/sign-in/", "sign in (form)")
        fields = form_fields(page.text, containing="username") or []
        typed = {"username": self.account["username"], "password": self.account["password"]}
        self.post_form("/accounts/sign-in/", filled(fields, **typed), "sign in (password)")
        page = self.get("/accounts/sign-in/two-factor/", "sign in (two-factor form)")
        fields = form_fields(page.text, containing="code") or []
        code = pyotp.TOTP(self.account["totp_secret"]).at(time.time() + SERVER_CLOCK_OFFSET)
        self.post_form("/accounts/sign-in/two-factor/", filled(fields, code=code), "sign in (code)")

    def search_and_open(self, terms: str) -> int | None:
        page = self.get("/children/", "search", q=terms)
        found = CHILD_LINK.findall(page.text or "")
        if not found:
            return None
        child_id = int(random.choice(found[:10]))
        self.get(f"/children/{child_id}/", "child record")
        return child_id

    def write_note(self, child: dict) -> None:
        path = f"/children/{child['id']}/notes/new/"
        page = self.get(path, "note form")
        fields = form_fields(page.text or "", containing="body")
        if fields is None:
            return
        time.sleep(random.uniform(*TYPING_SECONDS))
        self.notes_written += 1
        title = f"Load {RUN_ID} {self.account['username']} {self.notes_written}"
        typed = {
            "note_type": "visit",
            "title": title,
            "body": f"Visited {child['first_name']} at home. Spoke about school and contact with dad. " * 6,
            "child_seen": "yes",
            "child_seen_alone": "yes",
            "bedroom_seen": "yes",
            "action": "finalise",
        }
        response = self.post_form(path, filled(fields, **typed), "note (finalise)", expect=NOTE_PAGE)
        landed = NOTE_PAGE.search(urlparse(response.url).path)
        if response.ok and landed:
            report_note({"note_id": int(landed.group(1)), "title": title, "author": self.account["username"]})

    def a_child(self) -> dict | None:
        children = self.account.get("children") or []
        return random.choice(children) if children else None


class SocialWorker(Staff):
    kind = "social_worker"
    weight = 65

    @task(4)
    def find_a_child(self):
        child = self.a_child()
        if child:
            self.search_and_open(child["surname"])

    @task(3)
    def open_a_caseload_record(self):
        child = self.a_child()
        if child:
            self.get(f"/children/{child['id']}/", "child record")

    @task(2)
    def record_a_visit(self):
        child = self.a_child()
        if child:
            self.get(f"/children/{child['id']}/", "child record")
            self.write_note(child)

    @task(3)
    def my_caseload(self):
        self.get("/work/mine/", "work: my caseload")

    @task(1)
    def my_team(self):
        self.get("/work/team/", "work: team")

    @task(1)
    def home(self):
        self.get("/", "home")


class FrontDoorWorker(Staff):
    kind = "front_door"
    weight = 15

    @task(5)
    def the_queue(self):
        page = self.get("/front-door/", "front-door queue")
        contacts = CONTACT_LINK.findall(page.text or "")
        if contacts:
            self.get(f"/front-door/contacts/{random.choice(contacts)}/", "front-door contact")

    @task(2)
    def check_history(self):
        self.search_and_open(random.choice(self.account["surnames"]))

    @task(1)
    def home(self):
        self.get("/", "home")


class TeamManager(Staff):
    kind = "team_manager"
    weight = 12

    @task(4)
    def team_work(self):
        self.get("/work/team/", "work: team")

    @task(2)
    def own_caseload(self):
        self.get("/work/mine/", "work: my caseload")

    @task(3)
    def find_a_child(self):
        child = self.a_child()
        if child:
            self.search_and_open(child["surname"])

    @task(1)
    def management_note(self):
        child = self.a_child()
        if child:
            self.write_note(child)


class Leader(Staff):
    kind = "leader"
    weight = 8

    @task(3)
    def dashboard(self):
        self.get("/insight/dashboard/", "dashboard")

    @task(2)
    def service_work(self):
        self.get("/work/service/", "work: service")

    @task(2)
    def find_a_child(self):
        self.search_and_open(random.choice(self.account["surnames"]))

    @task(1)
    def home(self):
        self.get("/", "home")
