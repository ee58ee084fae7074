"""The named demo logins. The generator gives these usernames to staff in the workforce so they have real
caseloads and teams; `ensure_demo_users` then gives them the known password and two-factor secret."""

import base64
import hashlib
from dataclasses import dataclass

from opencsc.accounts.models import Role, TeamKind

DEMO_PASSWORD = "opencsc-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    first_name: str
    last_name: str
    team_kind: str = TeamKind.MANAGEMENT
    # False: not one of the generated workforce (which would change every generated authority), but added to
    # a team of its kind by ensure_demo_users.
    in_generated_workforce: bool = True

    @property
    def totp_secret(self) -> str:
        """Fixed per username, so a demo can be added to an authenticator app once and keep working."""
        digest = hashlib.sha256(f"opencsc-demo:{self.username}".encode()).digest()
        return base64.b32encode(digest[:20]).decode()


DEMO_ACCOUNTS = (
    DemoAccount("sw.demo", Role.SOCIAL_WORKER, "Sam", "Worker", TeamKind.CHILD_IN_NEED),
    DemoAccount("tm.demo", Role.TEAM_MANAGER, "Tanya", "Manager", TeamKind.CHILD_IN_NEED),
    DemoAccount(
        "fd.demo", Role.SOCIAL_WORKER, "Femi", "Frontdoor", TeamKind.FRONT_DOOR, in_generated_workforce=False
    ),
    DemoAccount("hos.demo", Role.HEAD_OF_SERVICE, "Harriet", "Head"),
    DemoAccount("dcs.demo", Role.DIRECTOR, "David", "Director"),
    DemoAccount("analyst.demo", Role.PERFORMANCE_ANALYST, "Anil", "Analyst"),
    DemoAccount("admin.demo", Role.ADMINISTRATOR, "Ada", "Administrator"),
    DemoAccount("auditor.demo", Role.AUDITOR, "Aoife", "Auditor"),
    DemoAccount("iro.demo", Role.INDEPENDENT_REVIEWING_OFFICER, "Ines", "Reviewer"),
    DemoAccount("ceo.demo", Role.CHIEF_EXECUTIVE, "Charles", "Executive"),
    DemoAccount("board.demo", Role.IMPROVEMENT_BOARD, "Beatrice", "Board"),
)
DEMO_BY_ROLE_AND_KIND = {
    (account.role, account.team_kind): account for account in DEMO_ACCOUNTS if account.in_generated_workforce
}
