"""A real HTTP receiver for the data flow's tests: an OAuth2 token endpoint (client credentials) and the DfE
API's children endpoint, on 127.0.0.1 in a thread. It records every request it answers and can be told to fail the
next N posts (or token requests) to prove that a failed send is kept and retried."""

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

CLIENT_ID = "opencsc-test-client"
CLIENT_SECRET = "a-test-secret-never-used-elsewhere"
SCOPE = "api://dfe-csc/.default"
SUPPLIER_KEY = "test-supplier-key"


@dataclass
class Received:
    path: str
    headers: dict
    body: object


@dataclass
class Receiver:
    la_code: str
    posts: list[Received] = field(default_factory=list)
    token_requests: list[dict] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    fail_posts: int = 0
    fail_status: int = 503
    fail_tokens: int = 0
    url: str = ""

    @property
    def records(self) -> list[dict]:
        return [record for post in self.posts for record in post.body]

    @property
    def children_path(self) -> str:
        return f"/children_social_care_data/{self.la_code}/children"


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output quiet
            pass

        def _answer(self, status: int, body) -> None:
            data = json.dumps(body).encode() if not isinstance(body, bytes) else body
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            if self.path == "/token":
                return self._token(parse_qs(raw.decode()))
            if self.path == receiver.children_path:
                return self._children(raw)
            return self._answer(404, {"error": "no such path"})

        def _token(self, form: dict) -> None:
            request = {key: values[0] for key, values in form.items()}
            receiver.token_requests.append(request)
            if receiver.fail_tokens:
                receiver.fail_tokens -= 1
                return self._answer(500, {"error": "server_error"})
            if (
                request.get("grant_type") != "client_credentials"
                or request.get("client_id") != CLIENT_ID
                or request.get("client_secret") != CLIENT_SECRET
            ):
                return self._answer(401, {"error": "invalid_client"})
            token = uuid.uuid4().hex
            receiver.tokens.add(token)
            return self._answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

        def _children(self, raw: bytes) -> None:
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if bearer not in receiver.tokens:
                return self._answer(401, {"error": "invalid token"})
            if receiver.fail_posts:
                receiver.fail_posts -= 1
                return self._answer(receiver.fail_status, b"the service is unavailable, try later")
            body = json.loads(raw)
            receiver.posts.append(Received(self.path, dict(self.headers), body))
            return self._answer(200, [f"2026-06-15_12:00:00.000000_{uuid.uuid4()}" for _ in body])

    return Handler


class running_receiver:
    """Start the receiver; stop it on leaving the block."""

    def __init__(self, la_code: str):
        self.receiver = Receiver(la_code=la_code)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.receiver))
        self.receiver.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self.receiver

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
