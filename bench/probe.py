"""The benchmark's look inside Django: what to request, and what each page costs in SQL.

Run by ``bench/run.py`` with the benchmark's environment (``DATABASE_URL`` of the
bench database, the same secret key as the server)::

    python bench/probe.py prepare            # -> JSON: logins, ticket numbers, URLs, the create form's fields
    python bench/probe.py queries PLAN.json  # -> JSON: per page, status, SQL query count and time, slowest query

``prepare`` only reads (it resolves the desk's URLs by trying them with the test
client, so a page others have not built yet is reported as not available).
``queries`` requests every page twice through ``django.test.Client`` and counts
the second request's queries (the first also loads per-process caches); the
create page's POST adds one ticket per request.
"""

import datetime
import json
import logging
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings")

import django  # noqa: E402

django.setup()
# Trying the desk's URLs logs "Not Found" for the ones that do not exist; that is expected here.
logging.getLogger("django.request").setLevel(logging.ERROR)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from tessera.accounts.models import User  # noqa: E402
from tessera.demo.bulk import bulk_customer_code  # noqa: E402
from tessera.demo.catalog import DEMO_PASSWORD  # noqa: E402
from tessera.demo.seed import sample_field_value  # noqa: E402
from tessera.organizations.models import Organization  # noqa: E402
from tessera.portal.forms import FIELD_PREFIX  # noqa: E402
from tessera.tickets.models import Category, Ticket  # noqa: E402
from tessera.tickets.workflow import CLOSED_STATUSES  # noqa: E402

#: The large bulk organization (5% of the tickets) and the logins the benchmark uses.
LARGE_ORGANIZATION_CODE = bulk_customer_code(1)
CUSTOMER_EMAIL = f"manager@c{LARGE_ORGANIZATION_CODE}.example"
AGENT_EMAIL = "agent@tessera.example"
SEARCH_WORD = "printer"

#: Where the agent's "All open" queue and ticket workspace may live: the first that answers 200 is used.
QUEUE_CANDIDATES = (
    "/desk/queues/all-open/", "/desk/queues/all_open/", "/desk/queues/open/", "/desk/queues/all/",
    "/desk/queue/all-open/", "/desk/queues/", "/desk/tickets/",
)
WORKSPACE_CANDIDATES = ("/desk/tickets/{number}/", "/desk/ticket/{number}/", "/desk/tickets/{number}/workspace/")


def _client(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _reversed(name: str, **kwargs) -> list[str]:
    """The URL of ``name`` if the desk has it by now, else nothing."""
    try:
        return [reverse(name, kwargs=kwargs)]
    except NoReverseMatch:
        return []


def _first_answering(client: Client, candidates) -> str | None:
    for url in candidates:
        if client.get(url).status_code == 200:
            return url
    return None


def _create_form(user: User) -> dict:
    """Fields of a valid "Report a problem" POST: a category two levels deep, its required extra fields filled."""
    rng = random.Random(1)
    candidates = Category.objects.filter(is_active=True, depth__gte=2).order_by("depth", "pk")
    best = None
    for category in candidates:
        path = category.path()
        if not all(node.is_active for node in path):
            continue
        required = [field for field in category.all_fields() if field.required]
        if best is None or len(required) < len(best[1]):
            best = (category, required)
        if not required:
            break
    category, required = best
    data = {
        # Words the search page does not look for, so the tickets created here do not change what it finds.
        "title": "Benchmark: the label writer stays idle",
        "priority": "3",
        "external_reference": "",
        "description": "Since this morning the label writer at the front desk stays idle. Restarting it did not help.",
        "cc_emails": "",
    }
    for level, node in enumerate(category.path(), start=1):
        data[f"category_{level}"] = str(node.pk)
    moment = datetime.datetime.now(tz=datetime.UTC)
    for field in required:
        value = sample_field_value(field, rng, moment)
        if isinstance(value, bool):
            value = "on" if value else ""
        data[FIELD_PREFIX + field.key] = str(value)
    return {"category": str(category), "fields": data}


def prepare() -> dict:
    organization = Organization.objects.get(customer_code=LARGE_ORGANIZATION_CODE)
    customer = User.objects.select_related("membership").get(email=CUSTOMER_EMAIL)
    tickets = Ticket.objects.filter(organization=organization)
    newest = tickets.order_by("-updated_at").values_list("number", flat=True).first()
    # An older ticket for the search by exact number, so it is not on the list's first page anyway.
    by_number = tickets.order_by("number").values_list("number", flat=True)[tickets.count() // 2]
    open_ticket = tickets.exclude(status__in=CLOSED_STATUSES).order_by("-updated_at").values_list(
        "number", flat=True
    ).first()

    agent_client = _client(AGENT_EMAIL)
    queue = _first_answering(agent_client, [*_reversed("desk:queue", queue="open"), *QUEUE_CANDIDATES])
    workspace = _first_answering(
        agent_client,
        [*_reversed("desk:ticket", number=open_ticket), *(c.format(number=open_ticket) for c in WORKSPACE_CANDIDATES)],
    )
    attachments = _listed_attachments(newest, customer)
    return {
        "attachments": attachments,
        "organization": {"code": organization.customer_code, "name": organization.name,
                         "tickets": tickets.count(), "open": tickets.exclude(status__in=CLOSED_STATUSES).count()},
        "total_tickets": Ticket.objects.count(),
        "password": DEMO_PASSWORD,
        "customer": {"email": customer.email, "role": customer.membership.role,
                     "sees_organization_tickets": customer.membership.sees_organization_tickets},
        "agent": {"email": AGENT_EMAIL},
        "ticket": newest,
        "ticket_by_number": by_number,
        "open_ticket": open_ticket,
        "search_word": SEARCH_WORD,
        # The desk's global search (issue 18): a part of a number, a requester's e-mail, a typo.
        "global_search_url": _first_answering(agent_client, _reversed("desk:search")),
        "partial_number": by_number[3:8],
        "requester_email": tickets.order_by("number").values_list("created_by__email", flat=True)[
            tickets.count() // 3
        ],
        "search_hits": tickets.filter(title__icontains=SEARCH_WORD).count(),
        "queue_url": queue,
        "workspace_url": workspace,
        "create": _create_form(customer),
    }


#: Files on the ticket page's ticket: the page lists them (name, size, link); it never reads them.
ATTACHMENTS_ON_TICKET = 5


def _listed_attachments(number: str, customer: User) -> list[str]:
    """Give the ticket page's ticket its attachments (once), stored in the local media folder; their names."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tessera.tickets.services import attachment_add

    ticket = Ticket.objects.get(number=number)
    for index in range(ticket.attachments.count(), ATTACHMENTS_ON_TICKET):
        attachment_add(ticket=ticket, uploaded_by=customer, upload=SimpleUploadedFile(
            f"printer-{index}.log", b"page 1 ok\npage 2 jammed\n" * 2000, content_type="text/plain"))
    return list(ticket.attachments.values_list("file", flat=True))


def queries(plan: list[dict]) -> dict:
    """Per page of ``plan`` (key, login, method, path, form): status and the SQL of its second request."""
    clients = {}
    results = {}
    for page in plan:
        if not page.get("path"):
            continue
        login = page.get("login")
        if login and login not in clients:
            clients[login] = _client(login)
        client = clients.get(login) or Client()
        for _attempt in (1, 2):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if page["method"] == "POST":
                    response = client.post(page["path"], page["form"])
                else:
                    response = client.get(page["path"])
                elapsed = time.perf_counter() - started
        timed = [(float(q["time"]), q["sql"]) for q in captured.captured_queries]
        slowest = max(timed, default=(0.0, ""))
        results[page["key"]] = {
            "status": response.status_code,
            "queries": len(timed),
            "sql_ms": round(sum(t for t, _ in timed) * 1000, 1),
            "response_ms": round(elapsed * 1000, 1),
            "slowest_ms": round(slowest[0] * 1000, 1),
            "slowest_sql": slowest[1],
            "explain": _explain(slowest[1]) if slowest[0] >= 0.002 else "",
            "all": [{"ms": round(t * 1000, 2), "sql": sql[:2000]} for t, sql in timed],
        }
    return results


def _explain(sql: str) -> str:
    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def main(argv: list[str]) -> None:
    if argv[:1] == ["prepare"]:
        result = prepare()
    elif argv[:1] == ["queries"] and len(argv) == 2:
        result = queries(json.loads(Path(argv[1]).read_text()))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
