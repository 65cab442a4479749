"""Replies and notes in Markdown, sanitized wherever shown; a preview; signatures per agent and per team."""

import pytest
from django.urls import reverse

from tessera.tickets import services
from tessera.tickets.models import AgentSignature, CannedResponse, Comment
from tests.html import parse


@pytest.fixture
def ticket(customer, category):
    return services.ticket_create(author=customer, title="Export stops", category=category)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


HOSTILE = "**Restart** the *service*.\n\n- step one\n- step two\n\n<script>alert(1)</script> " \
          "[bad](javascript:alert(2)) [docs](https://docs.example/x)"


def test_a_markdown_reply_is_rendered_sanitized_for_the_customer_and_in_the_mail(
    agent_client, ticket, customer, client, deliver, mailoutbox
):
    with deliver():
        agent_client.post(reverse("desk:ticket_reply", args=[ticket.number]), {"body": HOSTILE, "send": "public"})
    comment = Comment.objects.get()
    assert comment.is_markdown and comment.body == HOSTILE
    client.force_login(customer)
    page = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "<strong>Restart</strong>" in page and "<li>step one</li>" in page
    assert '<a href="https://docs.example/x" rel="noopener noreferrer nofollow">docs</a>' in page
    assert "<script>alert(1)" not in page and "javascript:alert" not in page.split("[bad]")[0][-200:]
    assert 'href="javascript' not in page
    [message] = [m for m in mailoutbox if customer.email in m.to and "New reply" in m.subject]
    html = message.alternatives[0][0]
    assert "<strong>Restart</strong>" in html and "<script>" not in html and 'href="javascript' not in html
    assert "**Restart** the *service*." in message.body  # the plain-text part carries what the agent typed


def test_customer_comments_stay_plain_text(client, customer, ticket):
    client.force_login(customer)
    client.post(reverse("portal:ticket_comment", args=[ticket.number]), {"body": "**not bold** <b>x</b>"})
    comment = Comment.objects.get()
    assert not comment.is_markdown
    page = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "**not bold** &lt;b&gt;x&lt;/b&gt;" in page


def test_signatures_of_agent_and_team_go_under_public_replies_only(agent_client, agent, ticket, service_team):
    AgentSignature.objects.create(user=agent, text="Marco Bianchi, *Imaging*")
    service_team.signature = "Tessera Support · +39 02 4000 1234"
    service_team.save()
    url = reverse("desk:ticket_reply", args=[ticket.number])
    agent_client.post(url, {"body": "Fixed.", "send": "public"})
    agent_client.post(url, {"body": "Internal only.", "send": "internal"})
    public, note = Comment.objects.order_by("pk")
    assert public.body == "Fixed.\n\n-- \nMarco Bianchi, *Imaging*\n\nTessera Support · +39 02 4000 1234"
    assert note.body == "Internal only."


def test_a_macro_reply_is_signed_and_in_markdown(agent_client, agent, ticket):
    AgentSignature.objects.create(user=agent, text="Marco")
    macro = CannedResponse.objects.create(title="Hi", body="Hello **{customer_name}**")
    agent_client.post(reverse("desk:ticket_macro", args=[ticket.number]), {"canned": macro.pk})
    comment = Comment.objects.get()
    assert comment.is_markdown and comment.body.endswith("\n\n-- \nMarco")


def test_the_preview_shows_the_rendered_reply_with_htmx_and_without(agent_client, agent, ticket):
    AgentSignature.objects.create(user=agent, text="Marco")
    url = reverse("desk:ticket_preview", args=[ticket.number])
    fragment = agent_client.post(url, {"body": "# Title\n\n_hi_ <img src=x onerror=alert(1)>", "send": "public"},
                                 headers={"HX-Request": "true"}).content.decode()
    preview = parse(fragment).find_one(testid="reply-preview")
    assert "<h1>Title</h1>" in preview.inner_html and "<em>hi</em>" in preview.inner_html
    assert "<img" not in preview.inner_html  # typed HTML is text
    assert "Marco" in preview.text
    page = agent_client.post(url, {"body": "Draft *kept*", "send": "public"}).content.decode()
    assert "<em>kept</em>" in parse(page).find_one(testid="reply-preview").inner_html
    assert "Draft *kept*" in parse(page).find("textarea", name="body").text
    assert not Comment.objects.exists()


def test_an_agent_keeps_a_signature_and_sees_it_rendered(agent_client, agent):
    response = agent_client.post(reverse("desk:signature"), {"text": "**Marco** Bianchi"}, follow=True)
    assert "Your signature has been saved." in response.content.decode()
    assert AgentSignature.objects.get(user=agent).text == "**Marco** Bianchi"
    preview = parse(response.content.decode()).find_one(testid="signature-preview")
    assert "<strong>Marco</strong>" in preview.inner_html


def test_customers_have_no_preview_or_signature_page(client, customer, ticket):
    client.force_login(customer)
    assert client.get(reverse("desk:signature")).status_code == 404
    assert client.post(reverse("desk:ticket_preview", args=[ticket.number]), {"body": "x"}).status_code == 404
