"""Inbound mail processed as the SMTP receiver and the IMAP poller hand it over: process_inbound_message."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse

from tessera.notifications.inbound import Outcome, process_inbound_message
from tessera.notifications.models import OutgoingEmail
from tessera.notifications.reply_tokens import reply_to_address
from tessera.tickets.inbound_mail import TicketMailOutcome
from tessera.tickets.models import Attachment, Comment, Source, Ticket
from tessera.tickets.workflow import Status

from ..factories import CategoryFactory, TicketFactory, email_message

SUPPORT = "support@tessera.example"

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def ticket(customer, category):
    return TicketFactory(created_by=customer, category=category, title="Printer driver crashes")


def reply(ticket, user, *, sender=None, **fields):
    """A reply to a notification about ``ticket`` that was sent to ``user``."""
    return email_message(
        sender=sender or f"{user.get_full_name()} <{user.email}>",
        to=reply_to_address(ticket_id=ticket.pk, user_id=user.pk),
        subject=f"Re: [#{ticket.number}] {ticket.title}",
        **fields,
    )


def process(message):
    return process_inbound_message(message.as_bytes())


def mails_to(mailoutbox, address):
    return [mail for mail in mailoutbox if mail.to == [address]]


def html_of(mail):
    return next(content for content, mimetype in mail.alternatives if mimetype == "text/html")


QUOTED_REPLY = """Thanks, the new driver works.
Printing is fine again.

On Mon, 3 Mar 2025 at 10:12, Tessera Support <support@tessera.example>
wrote:
> Please install driver 2.1 and tell us whether it helps.
>
> Kind regards

--\x20
Dr. Mario Rossi
Praxis Rossi, Via Roma 1, Milano
"""


# Reply by e-mail ---------------------------------------------------------------------------------


def test_reply_becomes_a_comment_without_quote_and_signature(client, customer, ticket):
    message = reply(ticket, customer, body=QUOTED_REPLY)

    result = process(message)

    assert result.outcome == TicketMailOutcome.COMMENT_ADDED
    comment = Comment.objects.get(ticket=ticket)
    assert comment.body == "Thanks, the new driver works.\nPrinting is fine again."
    assert comment.author == customer
    assert comment.source == Source.EMAIL
    assert not comment.is_internal
    assert comment.email_message_id == message["Message-ID"]
    client.force_login(customer)
    page = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "Printing is fine again." in page
    assert "Please install driver 2.1" not in page
    assert "Via Roma 1" not in page


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Danke, es geht wieder.\n\nAm 03.03.2025 um 10:12 schrieb Tessera Support <support@tessera.example>:\n"
         "> Alter Text", "Danke, es geht wieder."),
        ("Grazie, funziona.\n\nIl giorno lun 3 mar 2025 alle ore 10:12 Tessera Support <s@tessera.example> "
         "ha scritto:\n> Vecchio testo", "Grazie, funziona."),
        ("Works now.\n\n-----Original Message-----\nFrom: Tessera Support\nSent: Monday\n\nOld text",
         "Works now."),
        ("Works now.\n\n________________________________\nFrom: Tessera Support <s@tessera.example>\n"
         "Sent: Monday, 3 March 2025 10:12\nTo: Mario Rossi\nSubject: [#1] Printer\n\nOld text", "Works now."),
        ("Va bene.\n\nDa: Tessera Support <s@tessera.example>\nInviato: lunedì 3 marzo 2025 10:12\n"
         "A: Mario Rossi\nOggetto: R: [#1] Stampante\n\nVecchio testo", "Va bene."),
        ("First answer.\n> quoted question\nSecond answer.\n\nSent from my iPhone", "First answer.\nSecond answer."),
        ("Works now.\n\n--\nMario Rossi", "Works now."),
        ("From: the reception desk we see error 42.\nPlease help.", "From: the reception desk we see error 42.\n"
         "Please help."),
    ],
    ids=["german", "italian", "outlook-original", "outlook-header-block", "outlook-italian", "inline-and-mobile",
         "signature-without-space", "from-in-the-text-is-kept"],
)
def test_quoted_history_of_common_mail_clients_is_left_out(customer, ticket, body, expected):
    process(reply(ticket, customer, body=body))

    assert Comment.objects.get(ticket=ticket).body == expected


def test_outlook_html_reply_is_cut_at_the_quoted_header_block(customer, ticket):
    html = (
        "<html><body><div><p>Done, thank you.</p></div>"
        '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg">'
        "<b>From:</b> Tessera Support &lt;support@tessera.example&gt;<br><b>Sent:</b> Monday, 3 March 2025<br>"
        "<b>To:</b> Mario Rossi<br><b>Subject:</b> [#1] Printer</div><div><p>Did it help?</p></div></body></html>"
    )
    process(reply(ticket, customer, body=None, html=html))

    assert Comment.objects.get(ticket=ticket).body == "Done, thank you."


def test_html_only_reply_is_turned_into_text(customer, ticket):
    html = (
        "<html><head><style>p { color: red; }</style></head><body>"
        "<p>Yes, <b>it works</b> &amp; prints.</p>"
        '<div class="gmail_quote"><div>On Mon, 3 Mar 2025 Tessera Support wrote:</div>'
        "<blockquote><p>Did the driver help?</p></blockquote></div></body></html>"
    )
    process(reply(ticket, customer, body=None, html=html))

    assert Comment.objects.get(ticket=ticket).body == "Yes, it works & prints."


def test_plain_text_is_preferred_to_html(customer, ticket):
    process(reply(ticket, customer, body="Plain words.", html="<p>HTML words.</p>"))

    assert Comment.objects.get(ticket=ticket).body == "Plain words."


def test_reply_on_a_ticket_waiting_for_the_customer_hands_it_back_as_additional_info(customer, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CUSTOMER_ACTION)

    process(reply(ticket, customer, body="The serial number is 4711."))

    ticket.refresh_from_db()
    assert ticket.status == Status.ADDITIONAL_INFO
    assert ticket.comments.get().body == "The serial number is 4711."


def test_redelivered_mail_is_added_once(customer, ticket, deliver, mailoutbox):
    message = reply(ticket, customer, body="Only once, please.")

    with deliver():
        first = process(message)
        second = process(message)

    assert (first.outcome, second.outcome) == (TicketMailOutcome.COMMENT_ADDED, Outcome.DUPLICATE)
    assert Comment.objects.filter(ticket=ticket).count() == 1
    assert mails_to(mailoutbox, customer.email) == []


def test_a_user_may_answer_by_mail_for_a_colleague_they_share_the_ticket_with(manager, customer, ticket):
    # The manager sees every ticket of the organization; the reply address was made for the manager.
    process(reply(ticket, manager, body="I add the invoice number: 2025-17."))

    comment = Comment.objects.get(ticket=ticket)
    assert (comment.author, comment.body) == (manager, "I add the invoice number: 2025-17.")


def _generic_refusal(mailoutbox, address, ticket):
    """The one polite answer to a reply that may not act: it names no ticket."""
    [mail] = mails_to(mailoutbox, address)
    assert mail.subject == "Your e-mail could not be added to a ticket"
    for content in (mail.subject, mail.body, html_of(mail)):
        assert ticket.number not in content
        assert ticket.title not in content
    assert "http://127.0.0.1:8000/accounts/login/" in mail.body
    return mail.body


@pytest.mark.parametrize(
    "case",
    ["outsider-with-the-customers-address", "outsider-with-own-address", "colleague-who-may-not-see-it",
     "spoofed-display-name", "another-user-of-the-organization"],
)
def test_reply_from_a_foreign_or_spoofed_sender_adds_nothing_and_names_no_ticket(
    request, case, customer, colleague, manager, outsider, ticket, deliver, mailoutbox
):
    message, answered = {
        # The outsider got hold of the customer's reply address and writes from their own mailbox.
        "outsider-with-the-customers-address": (reply(ticket, customer, sender=outsider.email), outsider.email),
        # A genuine address made for the outsider (as if once notified) gives no access either.
        "outsider-with-own-address": (reply(ticket, outsider), outsider.email),
        # A basic colleague does not see the customer's ticket.
        "colleague-who-may-not-see-it": (reply(ticket, colleague), colleague.email),
        # The From address is forged, not only the display name: it must match the address's user.
        "spoofed-display-name": (reply(ticket, manager, sender=f"{manager.get_full_name()} <evil@attacker.test>"),
                                 "evil@attacker.test"),
        "another-user-of-the-organization": (reply(ticket, customer, sender=manager.email), manager.email),
    }[case]
    message.replace_header("Subject", "Please add this")

    with deliver():
        result = process(message)

    assert result.outcome == Outcome.REJECTED
    assert result.ticket is None
    assert not Comment.objects.filter(ticket=ticket).exists()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    _generic_refusal(mailoutbox, answered, ticket)


def test_forged_or_mangled_reply_addresses_add_nothing(customer, ticket, deliver, mailoutbox):
    genuine = reply_to_address(ticket_id=ticket.pk, user_id=customer.pk)
    other_ticket = TicketFactory(created_by=customer, category=ticket.category)
    forged = [
        genuine.replace(f"+{ticket.pk}.", f"+{other_ticket.pk}."),  # the signature of another ticket
        genuine[:-len("@tessera.example")] + "0@tessera.example",  # a signature one digit longer
        f"support+{ticket.pk}.{customer.pk}.0000000000000000000a@tessera.example",
    ]

    bodies = []
    for address in forged:
        with deliver():
            result = process(email_message(sender=customer.email, to=address, body="Let me in."))
        assert result.outcome == Outcome.REJECTED
        bodies.append(_generic_refusal(mailoutbox, customer.email, ticket))
        mailoutbox.clear()
        # An hour passes: the throttle would otherwise keep the next answer back.
        OutgoingEmail.objects.update(created_at=F("created_at") - timedelta(hours=2))
    assert Comment.objects.count() == 0
    assert Ticket.objects.filter(email_message_id__gt="").count() == 0
    assert len(set(bodies)) == 1


def test_reply_to_a_closed_ticket_suggests_a_follow_up_in_the_users_language(customer, ticket, deliver, mailoutbox):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.COMPLETED)
    customer.language = "it"
    customer.save(update_fields=["language"])

    with deliver():
        result = process(reply(ticket, customer, body="It broke again."))

    assert result.outcome == Outcome.REJECTED
    assert not Comment.objects.filter(ticket=ticket).exists()
    [mail] = mails_to(mailoutbox, customer.email)
    assert mail.subject.startswith(f"[#{ticket.number}] Printer driver crashes")
    assert f"http://127.0.0.1:8000/tickets/new/?follow_up={ticket.number}" in mail.body
    assert '<html lang="it">' in html_of(mail)


def test_reply_with_only_quoted_text_adds_nothing_and_says_why(customer, ticket, deliver, mailoutbox):
    with deliver():
        result = process(reply(ticket, customer, body="On Mon, 3 Mar 2025 Support wrote:\n> Any news?"))

    assert result.outcome == Outcome.REJECTED
    assert not Comment.objects.exists()
    [mail] = mails_to(mailoutbox, customer.email)
    assert f"[#{ticket.number}]" in mail.subject
    assert "no text of its own" in mail.body


def test_attachments_are_kept_and_those_over_the_limits_skipped_with_a_note(settings, customer, ticket):
    settings.TESSERA_ATTACHMENT_MAX_BYTES = 1000
    message = reply(
        ticket, customer, body="Here are the files.",
        attachments=[
            ("report.pdf", PDF, "application/pdf"),
            ("printer.log", b"error 42\n" * 200, "text/plain"),  # 1800 bytes: too large
            ("setup.exe", b"MZ\x90\x00" * 10, "application/octet-stream"),
            ("notes.txt", b"driver 2.1 installed\n", "text/plain"),
        ],
    )

    result = process(message)

    comment = Comment.objects.get(ticket=ticket)
    assert comment.body.startswith("Here are the files.\n\n")
    assert "(attachment printer.log was not accepted: The file printer.log is larger than" in comment.body
    assert "(attachment setup.exe was not accepted: Files of type .exe cannot be attached." in comment.body
    kept = {a.original_name: a for a in Attachment.objects.filter(ticket=ticket)}
    assert set(kept) == {"report.pdf", "notes.txt"}
    assert all(a.comment == comment and a.uploaded_by == customer for a in kept.values())
    with kept["report.pdf"].file.open("rb") as stored:
        assert stored.read() == PDF
    assert len(result.skipped_attachments) == 2


def test_only_as_many_attachments_as_one_message_allows(settings, customer, ticket):
    settings.TESSERA_ATTACHMENTS_PER_MESSAGE = 2
    files = [(f"note{i}.txt", b"text\n", "text/plain") for i in range(3)]

    process(reply(ticket, customer, body="Three notes.", attachments=files))

    assert Attachment.objects.filter(ticket=ticket).count() == 2
    assert "(attachment note2.txt was not accepted: at most 2 files" in Comment.objects.get().body


# Loops and automatic mail -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated; owner-email=it@rossi.test"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"List-Id": "<practice.lists.rossi.test>"},
        {"Return-Path": "<>"},
    ],
    ids=lambda headers: "-".join(f"{k}:{v}" for k, v in headers.items()),
)
def test_automatic_mail_is_dropped_silently(customer, ticket, headers, deliver, mailoutbox):
    with deliver():
        results = [
            process(reply(ticket, customer, body="I am out of office.", headers=headers)),
            process(email_message(sender=customer.email, to=SUPPORT, body="I am out of office.", headers=headers)),
        ]

    assert [r.outcome for r in results] == [Outcome.DROPPED, Outcome.DROPPED]
    assert not Comment.objects.exists()
    assert Ticket.objects.count() == 1
    assert mailoutbox == []


def test_auto_submitted_no_is_a_person_writing(customer, ticket):
    result = process(reply(ticket, customer, body="Written by me.", headers={"Auto-Submitted": "no"}))

    assert result.outcome == TicketMailOutcome.COMMENT_ADDED


def test_bounces_are_dropped(customer, ticket, deliver, mailoutbox):
    bounce = email_message(
        sender="Mail Delivery System <MAILER-DAEMON@mx.rossi.test>",
        to=reply_to_address(ticket_id=ticket.pk, user_id=customer.pk),
        subject="Undelivered Mail Returned to Sender", body="This is the mail system.",
    )
    report = email_message(sender=customer.email, to=SUPPORT, subject="Delivery Status Notification", body="x")
    report.add_attachment("Reporting-MTA: dns; mx.rossi.test\n", subtype="delivery-status")
    report.set_param("report-type", "delivery-status")
    report.replace_header("Content-Type", report["Content-Type"].replace("multipart/mixed", "multipart/report"))
    postmaster = email_message(sender="postmaster@rossi.test", to=SUPPORT, body="Quota exceeded")

    with deliver():
        results = [process(bounce), process(report), process(postmaster)]

    assert [r.outcome for r in results] == [Outcome.DROPPED] * 3
    assert not Comment.objects.exists() and Ticket.objects.count() == 1
    assert mailoutbox == []


def test_mail_from_our_own_addresses_is_dropped(settings, customer, ticket, service_team, deliver, mailoutbox):
    service_team.email = "team@vendor.test"
    service_team.save()
    senders = [SUPPORT, "Tessera <support@tessera.example>", reply_to_address(ticket_id=ticket.pk, user_id=1),
               "team@vendor.test"]

    with deliver():
        results = [process(email_message(sender=sender, to=SUPPORT, body="Loop?")) for sender in senders]

    assert {r.outcome for r in results} == {Outcome.DROPPED}
    assert Ticket.objects.count() == 1 and mailoutbox == []


def test_mail_to_other_addresses_is_ignored(customer, deliver, mailoutbox):
    with deliver():
        result = process(email_message(sender=customer.email, to="sales@tessera.example", body="Offer?"))

    assert result.outcome == Outcome.IGNORED
    assert not Ticket.objects.exists() and mailoutbox == []


def test_unreadable_mail_is_dropped(db):
    assert process_inbound_message(b"\x00\xff\xfe not a mail at all").outcome == Outcome.DROPPED


# E-mail to ticket -------------------------------------------------------------------------------------


def test_mail_to_the_support_address_from_a_known_user_opens_a_ticket(client, customer, category):
    message = email_message(
        sender=f"Mario Rossi <{customer.email.upper()}>", to=f"Tessera Support <{SUPPORT}>",
        subject="Scanner not found after update", body="Since this morning the scanner is missing.\n",
        attachments=[("scan.pdf", PDF, "application/pdf")],
    )
    forwarded = email_message(sender="lab@lab.test", to=customer.email, subject="Results", body="Scan attached")
    message.add_attachment(forwarded)  # a forwarded mail, attached as message/rfc822

    result = process(message)
    again = process(message)

    assert (result.outcome, again.outcome) == (TicketMailOutcome.TICKET_CREATED, Outcome.DUPLICATE)
    ticket = Ticket.objects.get()
    assert ticket.title == "Scanner not found after update"
    assert ticket.description == "Since this morning the scanner is missing."
    assert (ticket.created_by, ticket.organization) == (customer, customer.membership.organization)
    assert (ticket.source, ticket.category, ticket.service_team) == (Source.EMAIL, category, category.service_team)
    assert ticket.status == Status.OPEN
    assert ticket.email_message_id == message["Message-ID"]
    assert sorted(ticket.attachments.values_list("original_name", flat=True)) == ["message.eml", "scan.pdf"]
    with ticket.attachments.get(original_name="message.eml").file.open("rb") as stored:
        assert b"Subject: Results" in stored.read()
    client.force_login(customer)
    page = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "Scanner not found after update" in page and "the scanner is missing" in page


def test_a_mail_without_subject_gets_a_placeholder_title(customer, category):
    process(email_message(sender=customer.email, to=SUPPORT, subject="", body="Help!"))

    assert Ticket.objects.get().title == "(no subject)"


def test_the_default_category_for_mail_is_configurable(settings, customer, service_team):
    CategoryFactory(name="Hardware", position=0)
    software = CategoryFactory(name="Software", position=1, service_team=service_team)
    invoicing = CategoryFactory(name="Invoicing", parent=software, service_team=None)

    settings.TESSERA_EMAIL_TICKET_CATEGORY = "software / invoicing"
    process(email_message(sender=customer.email, to=SUPPORT, subject="By path", body="x"))
    settings.TESSERA_EMAIL_TICKET_CATEGORY = str(software.pk)
    process(email_message(sender=customer.email, to=SUPPORT, subject="By id", body="x"))
    settings.TESSERA_EMAIL_TICKET_CATEGORY = ""
    process(email_message(sender=customer.email, to=SUPPORT, subject="Default", body="x"))

    by_title = {t.title: t for t in Ticket.objects.all()}
    assert by_title["By path"].category == invoicing
    assert by_title["By path"].service_team == service_team  # routed by the parent's team
    assert by_title["By id"].category == software
    assert by_title["Default"].category.name == "Hardware"  # the first active top-level category


@pytest.mark.parametrize("sender", ["stranger", "restricted_user", "unlinked_user", "inactive_member", "agent"])
def test_senders_who_may_not_open_tickets_are_pointed_to_registration(request, sender, category, deliver, mailoutbox):
    address = "stranger@example.test" if sender == "stranger" else request.getfixturevalue(sender).email

    with deliver():
        result = process(email_message(sender=address, to=SUPPORT, subject="Urgent", body="Please call me."))

    assert result.outcome == Outcome.REJECTED
    assert not Ticket.objects.exists()
    [mail] = mails_to(mailoutbox, address)
    assert mail.subject == "Your e-mail did not open a ticket"
    assert "http://127.0.0.1:8000/accounts/register/" in mail.body
    assert 'href="http://127.0.0.1:8000/accounts/register/"' in html_of(mail)
    # The same words for everyone: the answer does not tell whether the address has an account.
    assert "Please call me" not in mail.body and "Urgent" not in mail.subject
    assert "stranger@example.test" not in mail.body and address not in mail.body


def test_the_answer_is_the_same_for_unknown_and_registered_addresses(restricted_user, category, deliver, mailoutbox):
    with deliver():
        for address in ("stranger@example.test", restricted_user.email):
            process(email_message(sender=address, to=SUPPORT, body="Hello"))

    bodies = {mail.body for mail in mailoutbox}
    assert len(mailoutbox) == 2 and len(bodies) == 1


def test_polite_replies_go_once_an_hour_to_one_sender_and_once_per_message(category, deliver, mailoutbox):
    first = email_message(sender="stranger@example.test", to=SUPPORT, body="Try 1")
    with deliver():
        results = [process(first)] + [
            process(email_message(sender="stranger@example.test", to=SUPPORT, body=f"Try {i}")) for i in (2, 3)
        ]
    assert [r.replied for r in results] == [True, False, False]
    assert len(mailoutbox) == 1

    OutgoingEmail.objects.update(created_at=F("created_at") - timedelta(hours=2))
    with deliver():
        again = process(first)  # the same message delivered again, hours later
        later = process(email_message(sender="stranger@example.test", to=SUPPORT, body="Try 4"))
    assert (again.replied, later.replied) == (False, True)
    assert len(mailoutbox) == 2


def test_polite_replies_are_marked_as_automatic_answers_to_the_mail(category, deliver, mailoutbox):
    message = email_message(sender="stranger@example.test", to=SUPPORT, body="Hello")
    with deliver():
        process(message)

    sent = mailoutbox[0].message()
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["In-Reply-To"] == message["Message-ID"]


def test_an_unknown_sender_is_answered_in_the_language_the_mail_declares(category, deliver, mailoutbox):
    message = email_message(sender="studio@example.test", to=SUPPORT, body="Aiuto")
    message["Content-Language"] = "it-IT"
    with deliver():
        process(message)

    assert '<html lang="it">' in html_of(mailoutbox[0])


def test_mail_to_a_reply_address_and_the_support_address_is_a_reply(customer, ticket):
    message = reply(ticket, customer, body="One comment, no new ticket.")
    message["Cc"] = SUPPORT

    assert process(message).outcome == TicketMailOutcome.COMMENT_ADDED
    assert Ticket.objects.count() == 1


def test_a_reply_to_a_merged_ticket_goes_to_the_ticket_it_was_merged_into(customer, ticket, category):
    target = TicketFactory(created_by=customer, category=category, title="Printers of the practice")
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.COMPLETED, merged_into=target)

    result = process(reply(ticket, customer, body="Still broken on the second printer."))

    assert (result.outcome, result.ticket) == (TicketMailOutcome.COMMENT_ADDED, target)
    assert target.comments.get().body == "Still broken on the second printer."
    assert not ticket.comments.exists()
