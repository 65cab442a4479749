"""schemathesis (property-based tests from the OpenAPI schema) against a live test server, as a customer, an
agent and a vendor administrator: no 500, no response outside the schema (status, content type, body, headers).

Its data (hypothesis's examples, reports) stays under the test's temporary folder, never in the repository.
The run takes about a minute; docs/api.md records the time measured.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tessera.organizations.models import Role
from tessera.tickets.models import CategoryField
from tessera.tickets.services import comment_add, ticket_create
from tests.factories import (
    AccessTokenFactory,
    AgentFactory,
    CategoryFactory,
    CategoryFieldFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceTeamFactory,
    UserFactory,
)

CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
    "response_headers_conformance",
])
EXAMPLES_PER_OPERATION = os.environ.get("TESSERA_SCHEMATHESIS_EXAMPLES", "5")
#: Rotating the calling token, or revoking a token by id, would revoke the run's own credentials halfway: those
#: two operations are tried in tests/api/test_tokens.py instead.
EXCLUDED_PATHS = r"tokens/(self/rotate|\{[^}]+\})/$"


def _world():
    team = ServiceTeamFactory(name="Practice software")
    category = CategoryFactory(name="Software", service_team=team)
    CategoryFieldFactory(category=category, key="version", label="Version")
    CategoryFieldFactory(category=category, key="seats", label="Seats", kind=CategoryField.Kind.NUMBER)
    organization = OrganizationFactory(name="Praxis Rossi", customer_code="100001")
    customer = MembershipFactory(organization=organization, role=Role.ADMIN,
                                 user=UserFactory(email="customer@rossi.test")).user
    agent = AgentFactory(email="agent@vendor.test")
    team.members.add(agent)
    admin = AgentFactory(email="root@vendor.test", is_superuser=True)
    for index in range(3):
        ticket = ticket_create(author=customer, title=f"Printer {index}", category=category,
                               attachments=[SimpleUploadedFile("log.txt", b"trace")])
        comment_add(ticket=ticket, author=agent, body="Have you tried turning it off and on again?")
    return {persona: AccessTokenFactory(user=user).raw
            for persona, user in (("customer", customer), ("agent", agent), ("admin", admin))}


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, settings, tmp_path, no_hourly_limits):
    settings.TESSERA_API_TOKEN_RATE_PER_MINUTE = 100_000
    tokens = _world()
    cli = Path(sys.executable).with_name("schemathesis")
    failures, started = {}, time.monotonic()
    for persona, raw in tokens.items():
        run = subprocess.run(
            [str(cli), "run", f"{live_server.url}/api/schema/", "--url", live_server.url,
             "-H", f"Authorization: Bearer {raw}", "--checks", CHECKS, "--exclude-path-regex", EXCLUDED_PATHS,
             "--max-examples", EXAMPLES_PER_OPERATION,
             "--phases", "examples,fuzzing", "--workers", "1", "--generation-database", "none",
             "--seed", "16", "--no-color", "--request-timeout", "20", "--report-dir", str(tmp_path / "reports")],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
            env={**os.environ, "HOME": str(tmp_path), "SCHEMATHESIS_HOOKS": ""},
        )
        if run.returncode != 0:
            failures[persona] = run.stdout[-6000:] + run.stderr[-2000:]
    elapsed = time.monotonic() - started
    print(f"schemathesis: 3 runs in {elapsed:.1f} s")
    assert failures == {}, "\n\n".join(f"--- as {p} ---\n{out}" for p, out in failures.items())
