"""Merging a duplicate into another ticket: nothing lost, nothing duplicated, nobody notified twice."""

from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tessera.tickets import services
from tessera.tickets.models import Attachment, Comment, Ticket, TicketCC, TicketEvent, TicketLink
from tessera.tickets.workflow import Status
from tests.factories import AgentFactory, CommentFactory, TicketCCFactory, TicketFactory

Type = TicketEvent.Type


def merge_url(ticket):
    return reverse("desk:ticket_merge", args=[ticket.number])


def link(first, second):
    low, high = sorted((first, second), key=lambda t: t.pk)
    return TicketLink.objects.create(from_ticket=low, to_ticket=high)


@pytest.fixture
def pair(customer, colleague, category, agent):
    """The target (by the customer) and a duplicate (by a colleague), each with comments, files and CC."""
    earlier = timezone.now() - timedelta(days=3)
    target = TicketFactory(created_by=customer, category=category, title="Export fails", created_at=earlier)
    duplicate = TicketFactory(created_by=colleague, category=category, title="Export broken again",
                              description="Same as yesterday.")
    CommentFactory(ticket=target, author=customer, body="target comment", created_at=earlier + timedelta(hours=1))
    first = CommentFactory(ticket=duplicate, author=colleague, body="duplicate comment",
                           created_at=earlier + timedelta(hours=2))
    CommentFactory(ticket=duplicate, author=agent, body="duplicate note", is_internal=True)
    Attachment.objects.create(ticket=duplicate, comment=first, file="a.png", original_name="a.png", size=3)
    Attachment.objects.create(ticket=duplicate, comment=None, file="b.png", original_name="b.png", size=3)
    Attachment.objects.create(ticket=target, comment=None, file="c.png", original_name="c.png", size=3)
    TicketCCFactory(ticket=target, email="it@rossi.test")
    TicketCCFactory(ticket=duplicate, email="it@rossi.test")  # in both: must not be doubled
    TicketCCFactory(ticket=duplicate, email="boss@rossi.test")
    return target, duplicate


def test_merge_asks_for_confirmation_then_moves_everything(client, agent, pair, colleague):
    target, duplicate = pair
    duplicate_comments = list(Comment.objects.filter(ticket=duplicate).values_list("pk", "created_at"))
    client.force_login(agent)

    confirm = client.post(merge_url(duplicate), {"number": target.number})
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Merge ticket" in page and target.number in page
    assert "2 comments move" in page and "2 attachments move" in page
    assert Comment.objects.filter(ticket=duplicate).count() == 2  # nothing happened yet

    response = client.post(merge_url(duplicate), {"number": target.number, "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("desk:ticket", args=[target.number])
    assert f"Ticket {duplicate.number} has been merged into this ticket and closed." in response.content.decode()

    # Comments and attachments moved with their dates; the only comment left on the duplicate is the merge note.
    moved = dict(Comment.objects.filter(pk__in=[pk for pk, _ in duplicate_comments]).values_list("pk", "created_at"))
    assert moved == dict(duplicate_comments)
    assert set(Comment.objects.filter(pk__in=moved).values_list("ticket", flat=True)) == {target.pk}
    assert Comment.objects.filter(ticket=target).count() == 1 + 2 + 1  # its own, the moved two, the merge note
    assert list(Comment.objects.filter(ticket=duplicate).values_list("is_internal", flat=True)) == [True]
    assert sorted(Attachment.objects.filter(ticket=target).values_list("original_name", flat=True)) == [
        "a.png", "b.png", "c.png"]
    assert not Attachment.objects.filter(ticket=duplicate).exists()
    assert Attachment.objects.get(original_name="a.png").comment.ticket == target

    # CC: each address once, and the duplicate's requester now hears of the ticket that goes on.
    assert sorted(target.cc_entries.values_list("email", flat=True)) == [
        "boss@rossi.test", "colleague@rossi.test", "it@rossi.test"]
    assert TicketCC.objects.filter(ticket=target, email="colleague@rossi.test").get().user == colleague
    assert sorted(duplicate.cc_entries.values_list("email", flat=True)) == ["boss@rossi.test", "it@rossi.test"]

    duplicate.refresh_from_db()
    assert duplicate.status == Status.COMPLETED_SILENT
    assert duplicate.merged_into == target and duplicate.closed_at is not None
    target.refresh_from_db()
    assert target.status == Status.OPEN and target.merged_into is None


def test_merge_notes_and_events_are_marked(agent, pair):
    target, duplicate = pair
    before = set(TicketEvent.objects.values_list("pk", flat=True))
    services.ticket_merge(ticket=duplicate, user=agent, target=target)
    new_events = TicketEvent.objects.exclude(pk__in=before)
    assert all(event.data.get("merge") is True for event in new_events)
    assert not new_events.filter(type__in=[Type.COMMENT_ADDED, Type.ATTACHMENT_ADDED]).exists()
    status = new_events.get(ticket=duplicate, type=Type.STATUS_CHANGED)
    assert (status.actor, status.data["old"], status.data["new"], status.data["merged_into"]) == (
        agent, "open", "completed_silent", target.number)
    assert new_events.filter(type=Type.NOTE_ADDED).count() == 2
    cc = new_events.get(ticket=target, type=Type.CC_CHANGED)
    assert sorted(cc.data["added"]) == ["boss@rossi.test", "colleague@rossi.test"]

    note_there = Comment.objects.filter(ticket=duplicate, is_internal=True).get()
    assert f"Merged into ticket {target.number}" in note_there.body
    note_here = Comment.objects.filter(ticket=target, is_internal=True, author=agent).last()
    assert f"Ticket {duplicate.number}" in note_here.body and "merged into this ticket" in note_here.body
    assert "Same as yesterday." in note_here.body  # the duplicate's description is not lost for agents


def test_merge_notifies_nobody_twice(agent, pair, deliver, mailoutbox, client):
    target, duplicate = pair
    with deliver():
        pass  # anything queued while building the tickets
    mailoutbox.clear()
    client.force_login(agent)
    with deliver():
        client.post(merge_url(duplicate), {"number": target.number, "confirm": "1"})
    recipients = Counter(address for message in mailoutbox for address in message.to)
    assert all(count <= 1 for count in recipients.values()), recipients
    assert not any("comment" in message.body and "duplicate comment" in message.body for message in mailoutbox)


def test_links_of_the_duplicate_point_at_the_target(agent, pair, customer, category):
    target, duplicate = pair
    elsewhere = TicketFactory(created_by=customer, category=category)
    both = TicketFactory(created_by=customer, category=category)
    link(duplicate, elsewhere)
    link(duplicate, both)
    link(target, both)  # already linked to the target: not twice
    link(duplicate, target)
    services.ticket_merge(ticket=duplicate, user=agent, target=target)
    pairs = {frozenset(p) for p in TicketLink.objects.values_list("from_ticket", "to_ticket")}
    assert pairs == {
        frozenset({target.pk, elsewhere.pk}), frozenset({target.pk, both.pk}), frozenset({duplicate.pk, target.pk})
    }
    assert TicketEvent.objects.filter(ticket=elsewhere, type=Type.LINKED, data__other=target.number).exists()


def test_merged_comments_appear_in_the_target_timeline_in_time_order(client, agent, pair):
    target, duplicate = pair
    services.ticket_merge(ticket=duplicate, user=agent, target=target)
    client.force_login(agent)
    page = client.get(reverse("desk:ticket", args=[target.number])).content.decode()
    assert page.index("target comment") < page.index("duplicate comment") < page.index("duplicate note")
    assert page.count("duplicate comment") == 1


def test_the_customer_of_the_target_sees_the_moved_public_comments_only(client, agent, pair, customer, colleague):
    target, duplicate = pair
    services.ticket_merge(ticket=duplicate, user=agent, target=target)
    for person in (customer, colleague):  # the colleague now in CC of the target
        client.force_login(person)
        page = client.get(reverse("portal:ticket_detail", args=[target.number])).content.decode()
        assert "duplicate comment" in page and "duplicate note" not in page and "merged into this" not in page


@pytest.mark.parametrize("case", ["itself", "other_organization", "closed_target", "closed_duplicate"])
def test_refused_merges_change_nothing(client, agent, pair, outsider, category, case):
    target, duplicate = pair
    messages = {
        "itself": "A ticket cannot be merged into itself.",
        "other_organization": "Only tickets of the same organization can be merged.",
        "closed_target": "is closed; merge into an open ticket.",
        "closed_duplicate": "This ticket is closed and can no longer be merged.",
    }
    if case == "itself":
        target = duplicate
    elif case == "other_organization":
        target = TicketFactory(created_by=outsider, category=category)
    elif case == "closed_target":
        Ticket.objects.filter(pk=target.pk).update(status=Status.COMPLETED)
    else:
        Ticket.objects.filter(pk=duplicate.pk).update(status=Status.CANCELED)
    comments = dict(Comment.objects.values_list("pk", "ticket"))
    client.force_login(agent)
    for data in ({"number": target.number}, {"number": target.number, "confirm": "1"}):
        response = client.post(merge_url(duplicate), data)
        assert response.status_code == 400
        assert messages[case] in response.content.decode()
    assert dict(Comment.objects.values_list("pk", "ticket")) == comments
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_merge_into_an_unknown_or_invisible_ticket_is_refused(client, agent, pair, settings, outsider, category):
    _target, duplicate = pair
    client.force_login(agent)
    response = client.post(merge_url(duplicate), {"number": "0999999999", "confirm": "1"})
    assert response.status_code == 400 and "There is no ticket 0999999999." in response.content.decode()


def test_only_agents_may_merge(pair, customer):
    from django.core.exceptions import PermissionDenied

    target, duplicate = pair
    with pytest.raises(PermissionDenied):
        services.ticket_merge(ticket=duplicate, user=customer, target=target)
    assert not Ticket.objects.filter(merged_into__isnull=False).exists()


def test_customers_get_404_from_the_merge_url(client, pair, customer, outsider, org_admin):
    target, duplicate = pair
    for person in (customer, org_admin, outsider):
        client.force_login(person)
        assert client.post(merge_url(duplicate), {"number": target.number, "confirm": "1"}).status_code == 404
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None and duplicate.status == Status.OPEN


def test_a_merged_chain_stays_navigable(agent, customer, category):
    first, second, third = (TicketFactory(created_by=customer, category=category) for _ in range(3))
    services.ticket_merge(ticket=first, user=AgentFactory(), target=second)
    services.ticket_merge(ticket=second, user=agent, target=third)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.merged_into == second and second.merged_into == third
    assert list(third.merged_tickets.all()) == [second]
