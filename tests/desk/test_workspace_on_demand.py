"""The workspace's occasional forms (category, CC, related ticket, merge) load when the agent opens them.

Each is the GET of its action's URL: with htmx the form alone, put into the
workspace's disclosure; without JavaScript the same URL is a page of its own.
The workspace itself builds none of them, so a view costs a fixed, small
number of queries.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tessera.tickets import services
from tessera.tickets.models import CannedResponse, CategoryField, Ticket, TicketLink
from tessera.tickets.workflow import Status
from tests.factories import (
    AgentFactory,
    CategoryFactory,
    MembershipFactory,
    ServiceTeamFactory,
    TicketFactory,
    UserFactory,
)
from tests.html import parse

HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ON_DEMAND = {
    # URL name: what the form shows, and where it posts
    "ticket_category": 'name="category"',
    "ticket_cc_add": 'name="cc_emails"',
    "ticket_link": 'id="link_number"',
    "ticket_merge": 'id="merge_number"',
}


def url(name, ticket, *args):
    return reverse(f"desk:{name}", args=[ticket.number, *args])


@pytest.fixture
def ticket(customer, category):
    return services.ticket_create(author=customer, title="Month end export fails", category=category,
                                  cc_emails=["it@rossi.test"])


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def page_of(response) -> str:
    return response.content.decode()


def disclosures(page: str) -> dict[str, str]:
    """Each on-demand disclosure of the workspace by its summary: its HTML after the summary."""
    found = {}
    for details in parse(page).find_all("details", testid="on-demand"):
        summary = details.find("summary")
        found[summary.text] = details.source[summary.end:details.inner_end]
    return found


def test_the_workspace_offers_the_occasional_forms_as_disclosures_without_building_them(agent_client, ticket):
    page = page_of(agent_client.get(url("ticket", ticket)))
    shown = disclosures(page)
    assert set(shown) == {
        "Re-categorize", "Edit extra fields", "Add to CC", "Link a related ticket", "Merge this duplicate"
    }
    for summary, name in (("Re-categorize", "ticket_category"), ("Edit extra fields", "ticket_fields"),
                          ("Add to CC", "ticket_cc_add"), ("Link a related ticket", "ticket_link"),
                          ("Merge this duplicate", "ticket_merge")):
        body = shown[summary]
        # htmx loads the form when the disclosure opens; without scripts, the link opens it as a page.
        assert f'hx-get="{url(name, ticket)}"' in body and 'hx-trigger="toggle once from:closest details"' in body
        assert f'<a href="{url(name, ticket)}">Open “{summary}” on a page of its own</a>' in body
    for field in ON_DEMAND.values():
        assert field not in page
    # The everyday forms are still there at once.
    for field in ('name="assignee"', 'name="team"', 'name="priority"', 'name="action"', 'name="body"'):
        assert field in page


@pytest.mark.parametrize(("name", "field"), list(ON_DEMAND.items()))
def test_htmx_gets_the_form_alone(agent_client, ticket, name, field):
    response = agent_client.get(url(name, ticket), headers=HTMX)
    page = page_of(response)
    assert response.status_code == 200 and "<html" not in page
    assert field in page and f'action="{url(name, ticket)}"' in page and "csrfmiddlewaretoken" in page
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(("name", "field"), list(ON_DEMAND.items()))
def test_without_javascript_the_form_is_a_page_of_its_own(agent_client, ticket, name, field):
    response = agent_client.get(url(name, ticket))
    page = page_of(response)
    assert response.status_code == 200 and "<html" in page
    assert field in page and f'action="{url(name, ticket)}"' in page
    assert f'<a href="{url("ticket", ticket)}">Back to the ticket</a>' in page
    assert ticket.number in page and "Month end export fails" in page
    assert "HX-Request" in response["Vary"]


def test_the_forms_on_their_page_work_as_in_the_workspace(agent_client, ticket, customer, category, colleague):
    """What the no-script page posts is handled like the workspace's own forms."""
    other = TicketFactory(created_by=customer, category=category)
    response = agent_client.post(url("ticket_link", ticket), {"number": other.number}, follow=True)
    assert f"Ticket {other.number} is now linked." in page_of(response)
    assert TicketLink.objects.count() == 1

    page = page_of(agent_client.get(url("ticket_cc_add", ticket)))
    assert f'value="{colleague.pk}"' in page and colleague.get_full_name() in page
    agent_client.post(url("ticket_cc_add", ticket), {"cc_users": [colleague.pk]})
    assert ticket.cc_entries.filter(email=colleague.email).exists()
    page = page_of(agent_client.get(url("ticket_cc_add", ticket)))
    assert colleague.get_full_name() not in page  # already in CC: not offered again
    assert 'name="cc_users"' not in page and 'name="cc_emails"' in page  # nobody left to tick: addresses only


def test_the_category_form_lists_active_categories_by_their_path_in_tree_order(agent_client, ticket, category):
    hardware = CategoryFactory(name="Hardware", position=0)
    CategoryFactory(name="Printers", parent=hardware, position=2)
    CategoryFactory(name="Scanners", parent=hardware, position=1)
    CategoryFactory(name="Retired", parent=hardware, is_active=False)
    category.position = 5
    category.save()
    page = page_of(agent_client.get(url("ticket_category", ticket), headers=HTMX))
    options = [option for option in parse(page).find_all("option") if option.get("value", "").isdigit()
               or option.get("value") == ""]
    labels = [option.raw_text for option in options]
    assert labels == ["— choose —", "Hardware", "Hardware › Scanners", "Hardware › Printers", "Practice management"]
    assert f'<option value="{category.pk}" selected>' in page  # the ticket's category is chosen


def test_a_failed_form_comes_back_open_in_the_workspace_with_what_was_typed(agent_client, ticket):
    response = agent_client.post(url("ticket_link", ticket), {"number": "12-3"})
    assert response.status_code == 400
    shown = disclosures(page_of(response))
    body = shown["Link a related ticket"]
    assert "A ticket number has only digits." in body and 'value="12-3"' in body and "hx-get" not in body
    opened = [details.find("summary").text for details in parse(response).find_all("details", testid="on-demand")
              if details.has("open")]
    assert "Link a related ticket" in opened
    # The others stay closed, to be loaded when opened.
    assert 'hx-get="' + url("ticket_merge", ticket) + '"' in shown["Merge this duplicate"]

    response = agent_client.post(url("ticket_cc_add", ticket), {"cc_emails": "not-an-address"})
    body = disclosures(page_of(response))["Add to CC"]
    assert "not-an-address is not a valid e-mail address." in body and 'value="not-an-address"' in body

    response = agent_client.post(url("ticket_category", ticket), {"category": "999999"})
    assert "Select a valid choice" in disclosures(page_of(response))["Re-categorize"]


def test_a_closed_ticket_offers_only_the_link_form(agent_client, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.COMPLETED)
    assert set(disclosures(page_of(agent_client.get(url("ticket", ticket))))) == {"Link a related ticket"}
    for name in ("ticket_category", "ticket_cc_add", "ticket_merge"):
        for headers in ({}, HTMX):
            response = agent_client.get(url(name, ticket), headers=headers)
            page = page_of(response)
            assert response.status_code == 200
            assert "This ticket is closed and can no longer be changed." in page and ON_DEMAND[name] not in page
            assert f'action="{url(name, ticket)}"' not in page
    assert 'id="link_number"' in page_of(agent_client.get(url("ticket_link", ticket), headers=HTMX))


@pytest.mark.parametrize("persona", ["customer", "colleague", "outsider"])
def test_customers_find_no_form(client, request, ticket, persona):
    client.force_login(request.getfixturevalue(persona))
    for name in ON_DEMAND:
        assert client.get(url(name, ticket), headers=HTMX).status_code == 404


def test_anonymous_is_sent_to_log_in(client, ticket):
    for name in ON_DEMAND:
        response = client.get(url(name, ticket), headers=HTMX)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# What a view of the workspace costs.


def _queries(client, target, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(target, **kwargs)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_a_view_costs_the_same_few_queries_however_many_agents_teams_and_categories(agent_client, ticket, customer):
    """Session, user, ticket, files, merged and follow-ups, comments, events, CC, links, canned, agents, teams."""
    CannedResponse.objects.create(title="Hello", body="Hi")
    few = _queries(agent_client, url("ticket", ticket))
    for i in range(20):
        AgentFactory()
        team = ServiceTeamFactory(name=f"Team {i}")
        CategoryFactory(name=f"Area {i}", service_team=team)
        CannedResponse.objects.create(title=f"Answer {i}", body="x", team=ticket.service_team)
        TicketFactory(created_by=customer, category=ticket.category, follow_up_of=ticket)
    many = _queries(agent_client, url("ticket", ticket))
    assert len(few) == len(many) <= 20, many  # the customer panel: 4, its SLA tier: 1; tags: 1; SLA: 1; version: 1
    # Lists are read once, whole: no server-side cursor (DECLARE … CURSOR on PostgreSQL) and no query per option.
    assert not [sql for sql in many if "DECLARE" in sql.upper()]
    page = page_of(agent_client.get(url("ticket", ticket)))
    assert "Team 19" in page and "Answer 19" in page


def test_field_labels_are_looked_up_only_for_a_ticket_with_field_values(agent_client, customer, category):
    CategoryField.objects.create(category=category, key="module", label="Module", kind="text")
    plain = services.ticket_create(author=customer, title="Plain", category=category)
    with_values = services.ticket_create(author=customer, title="Filled", category=category,
                                         field_values={"module": "Export"})
    plain_queries = _queries(agent_client, url("ticket", plain))
    assert len(_queries(agent_client, url("ticket", with_values))) == len(plain_queries) + 1
    page = page_of(agent_client.get(url("ticket", with_values)))
    assert "<dt>Module</dt><dd>Export</dd>" in page


def test_the_forms_cost_a_fixed_number_of_queries(agent_client, ticket, organization):
    counts = {name: len(_queries(agent_client, url(name, ticket), headers=HTMX)) for name in ON_DEMAND}
    for i in range(15):
        CategoryFactory(name=f"Area {i}", parent=CategoryFactory(name=f"Top {i}"))
        MembershipFactory(organization=organization, user=UserFactory())
    for name in ON_DEMAND:
        sql = _queries(agent_client, url(name, ticket), headers=HTMX)
        assert len(sql) == counts[name] <= 6, (name, sql)
        assert not [query for query in sql if "DECLARE" in query.upper()]


def test_the_files_of_the_ticket_and_of_each_comment_come_from_one_query(agent_client, agent, customer, category):
    def upload(name):
        return SimpleUploadedFile(name, PNG, content_type="image/png")

    ticket = services.ticket_create(author=customer, title="Files", category=category,
                                    attachments=[upload("first.png")])
    services.comment_add(ticket=ticket, author=customer, body="With a file", attachments=[upload("second.png")])
    services.comment_add(ticket=ticket, author=agent, body="Note", is_internal=True, attachments=[upload("third.png")])
    page = page_of(agent_client.get(url("ticket", ticket)))
    description = page[page.index('id="description-heading"'):page.index('id="timeline-heading"')]
    timeline = page[page.index('data-testid="timeline"'):]
    assert "first.png" in description and "second.png" not in description
    comment = parse(timeline).find("li", testid="timeline-comment").html
    note = parse(timeline).find("li", testid="timeline-note").html
    assert "second.png" in comment and "third.png" not in comment and "third.png" in note
    sql = _queries(agent_client, url("ticket", ticket))
    assert len([query for query in sql if "tickets_attachment" in query]) == 1
