"""Tickets from the old portal: a JSON lines file, one ticket per line, beside its attachments (docs/import.md).

The old numbers are kept. Each batch of tickets is one transaction that first
moves the number counter past the batch's highest number
(``tickets.numbering.reserve_numbers_through``), so tickets created meanwhile
wait, then draw numbers above the imported ones. A ticket whose number exists
already is left alone: the same ticket (organization, title and creation
date) counts as unchanged, another one is an error. Running a file again
therefore changes nothing.

Imported history sends no e-mail: tickets, comments and attachments are
written with bulk inserts, not through the services that notify; the creation
event each ticket gets says it was imported.
"""

import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.limits import REFERENCE_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from tessera.core.operations import delete_file_on_rollback, operation
from tessera.organizations.models import Organization
from tessera.tickets import events
from tessera.tickets.models import Attachment, Category, Comment, Priority, Source, Ticket, TicketEvent
from tessera.tickets.numbering import LAST_NUMBER, format_number, reserve_numbers_through
from tessera.tickets.uploads import validate_upload
from tessera.tickets.workflow import Status, is_closed

from .report import CREATED, UNCHANGED, ImportFileError, Report, RowResult

BATCH_SIZE = 1000
#: The old portal's status names that mean one of ours, besides our own codes and English labels.
STATUS_ALIASES = {
    "new": Status.OPEN, "received": Status.OPEN, "not completed": Status.OPEN, "submitted": Status.OPEN,
    "in progress": Status.IN_PROCESS, "work in progress": Status.IN_PROCESS, "assigned": Status.IN_PROCESS,
    "pending": Status.CUSTOMER_ACTION, "waiting for customer": Status.CUSTOMER_ACTION,
    "further information requested": Status.CUSTOMER_ACTION, "customer answered": Status.ADDITIONAL_INFO,
    "on hold": Status.ON_HOLD, "interrupted": Status.ON_HOLD, "awaiting new version": Status.AWAITING_RELEASE,
    "resolved": Status.SOLUTION_PROVIDED, "solved": Status.SOLUTION_PROVIDED,
    "closed": Status.COMPLETED, "done": Status.COMPLETED, "completed w/o e-mail": Status.COMPLETED_SILENT,
    "cancelled": Status.CANCELED, "closed by customer": Status.CANCELED, "rejected": Status.ERROR,
}
FIELDS = {"number", "title", "description", "status", "priority", "customer_code", "requester", "category",
          "created_at", "updated_at", "closed_at", "assignee", "external_reference", "source", "comments",
          "attachments"}


def status_map(extra: dict[str, str] | None = None) -> dict[str, Status]:
    """Old status (case-insensitive) → one of the 14; ``extra`` (the vendor's own) wins."""
    mapping: dict[str, Status] = {}
    for status in Status:
        if status != Status.SENDING:  # only a submission still being stored is "sending"
            mapping[status.value] = status
            mapping[str(status.label).casefold()] = status
    mapping.update(STATUS_ALIASES)
    for old, new in (extra or {}).items():
        if new not in Status.values or new == Status.SENDING:
            raise ImportFileError(_("The status map names “%(status)s”, which is not one of Tessera's statuses "
                                    "(%(statuses)s).") % {"status": new, "statuses": ", ".join(Status.values[1:])})
        mapping[" ".join(str(old).split()).casefold()] = Status(new)
    return mapping


# --- Where the tickets and their files come from ---------------------------------------------------------


class TicketFile:
    """A JSON lines file and the folder (or zip archive) that holds the files it names.

    ``lines()`` reads the tickets from the start each time it is called.
    """

    def __init__(self, lines: Callable[[], Iterator[tuple[int, str]]], read: Callable[[str], bytes | None],
                 close: Callable[[], None] = lambda: None):
        self.lines, self.read, self.close = lines, read, close


def _safe_relative(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return path


def open_source(path: Path, *, max_file_bytes: int) -> TicketFile:
    if not path.exists():
        raise ImportFileError(_("There is no file %(path)s.") % {"path": path})
    if zipfile.is_zipfile(path):
        return _zip_source(path, max_file_bytes)
    folder = path.parent

    def read(name: str) -> bytes | None:
        relative = _safe_relative(name)
        if relative is None:
            return None
        target = (folder / relative).resolve()
        if not target.is_relative_to(folder.resolve()) or not target.is_file():
            return None
        if target.stat().st_size > max_file_bytes:
            return b"\x00" * (max_file_bytes + 1)  # the size check reports it; nothing big is read
        return target.read_bytes()

    def lines() -> Iterator[tuple[int, str]]:
        with path.open("rb") as handle:
            yield from _lines(handle)

    return TicketFile(lines, read)


def _zip_source(path: Path, max_file_bytes: int) -> TicketFile:
    archive = zipfile.ZipFile(path)
    names = [name for name in archive.namelist() if name.endswith((".jsonl", ".ndjson"))]
    if len(names) != 1:
        archive.close()
        raise ImportFileError(_("The zip archive must hold exactly one .jsonl file with the tickets; "
                                "it holds %(count)d.") % {"count": len(names)})
    base = PurePosixPath(names[0]).parent

    def read(name: str) -> bytes | None:
        relative = _safe_relative(name)
        if relative is None:
            return None
        try:
            info = archive.getinfo(str(base / relative) if str(base) != "." else str(relative))
        except KeyError:
            return None
        if info.file_size > max_file_bytes:
            return b"\x00" * (max_file_bytes + 1)
        return archive.read(info)

    def lines() -> Iterator[tuple[int, str]]:
        with archive.open(names[0]) as handle:
            yield from _lines(handle)

    return TicketFile(lines, read, archive.close)


def _lines(handle) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield number, "\x00not-utf-8"
            continue
        if text.strip():
            yield number, text


# --- Reading one ticket ------------------------------------------------------------------------------------


@dataclass
class CommentData:
    author: str
    body: str
    created_at: datetime
    internal: bool
    attachments: list[dict] = field(default_factory=list)


@dataclass
class TicketData:
    row: RowResult
    number: str
    title: str
    description: str
    status: Status
    priority: int
    customer_code: str
    requester: str
    category: tuple[str, ...]
    created_at: datetime
    updated_at: datetime | None
    closed_at: datetime | None
    assignee: str
    external_reference: str
    source: str
    comments: list[CommentData]
    attachments: list[dict]
    #: Filled when the ticket's people and category are looked up.
    #: (index of its comment or None, name, content type, path in the source, date, uploader's e-mail). The
    #: content is read once to check it and again when written: a batch never holds every file in memory.
    files: list[tuple[int | None, str, str, str, datetime, str]] = field(default_factory=list)


def _text(data: dict, key: str, row: RowResult, *, limit: int, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        row.fail(_("“%(field)s” must be text.") % {"field": key})
        return ""
    value = str(value).replace("\x00", "").strip()
    if required and not value:
        row.fail(_("“%(field)s” is missing.") % {"field": key})
    if len(value) > limit:
        row.fail(_("“%(field)s” is longer than %(max)d characters.") % {"field": key, "max": limit})
    return value


def parse_datetime_value(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            return None
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _date(data: dict, key: str, row: RowResult, *, required: bool = False) -> datetime | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            row.fail(_("“%(field)s” is missing.") % {"field": key})
        return None
    parsed = parse_datetime_value(value)
    if parsed is None:
        row.fail(_("“%(field)s” is not a date in ISO 8601 form (2024-03-01T14:30:00+01:00): “%(value)s”.")
                 % {"field": key, "value": str(value)[:40]})
    return parsed


def _email(value: str, row: RowResult, key: str) -> str:
    email = value.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.fail(_("“%(field)s” is not a valid e-mail address: “%(value)s”.") % {"field": key, "value": email})
    return email


def parse_ticket(line: int, text: str, statuses: dict[str, Status]) -> TicketData | RowResult:
    row = RowResult(line=line, key="")
    if text.startswith("\x00not-utf-8"):
        row.fail(_("The line is not UTF-8 text."))
        return row
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        row.fail(_("The line is not valid JSON: %(error)s.") % {"error": error.msg})
        return row
    if not isinstance(data, dict):
        row.fail(_("The line must be one JSON object (a ticket)."))
        return row
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        row.fail(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    raw_number = str(data.get("number", "")).strip()
    row.key = raw_number
    if not (raw_number.isdigit() and raw_number.isascii() and 1 <= int(raw_number) <= LAST_NUMBER):
        row.fail(_("The number must be digits only, at most 10, and not 0: “%(value)s”.") % {"value": raw_number[:20]})
        number = ""
    else:
        number = format_number(int(raw_number))
        row.key = number
    title = _text(data, "title", row, limit=TITLE_MAX_LENGTH, required=True)
    description = _text(data, "description", row, limit=TEXT_MAX_LENGTH)
    old_status = " ".join(str(data.get("status", "")).split()).casefold()
    status = statuses.get(old_status)
    if status is None:
        row.fail(_("The status “%(value)s” has no counterpart in Tessera; add it to the status map.")
                 % {"value": old_status})
    priority_value = data.get("priority", Priority.MEDIUM)
    try:
        priority = int(priority_value)
    except (TypeError, ValueError):
        priority = 0
    if priority not in Priority.values:
        row.fail(_("The priority must be 1 (very high) to 4 (low), not “%(value)s”.") % {"value": priority_value})
    category = data.get("category")
    if isinstance(category, str):
        category = [part for part in (p.strip() for p in category.split(">")) if part]
    if not (isinstance(category, list) and category and all(isinstance(part, str) for part in category)):
        row.fail(_("The category must be its path: a list of names, or names separated by “>”."))
        category = []
    source = str(data.get("source") or Source.PORTAL)
    if source not in Source.values:
        row.fail(_("The source must be one of %(sources)s.") % {"sources": ", ".join(Source.values)})
    comments = []
    raw_comments = data.get("comments") or []
    if not isinstance(raw_comments, list):
        row.fail(_("“comments” must be a list."))
        raw_comments = []
    for position, raw in enumerate(raw_comments, start=1):
        if not isinstance(raw, dict):
            row.fail(_("Comment %(position)d must be an object.") % {"position": position})
            continue
        body = _text(raw, "body", row, limit=TEXT_MAX_LENGTH, required=True)
        created = _date(raw, "created_at", row, required=True)
        author = _email(str(raw.get("author") or ""), row, "author")
        if not author:
            row.fail(_("Comment %(position)d has no author.") % {"position": position})
        files = raw.get("attachments") or []
        if created is not None:
            comments.append(CommentData(author, body, created, bool(raw.get("internal")),
                                        files if isinstance(files, list) else []))
    attachments = data.get("attachments") or []
    if not isinstance(attachments, list):
        row.fail(_("“attachments” must be a list."))
        attachments = []
    ticket = TicketData(
        row=row, number=number, title=title, description=description, status=status or Status.OPEN,
        priority=priority, customer_code=_text(data, "customer_code", row, limit=32, required=True),
        requester=_email(str(data.get("requester") or ""), row, "requester"), category=tuple(category),
        created_at=_date(data, "created_at", row, required=True) or timezone.now(),
        updated_at=_date(data, "updated_at", row), closed_at=_date(data, "closed_at", row),
        assignee=_email(str(data.get("assignee") or ""), row, "assignee"),
        external_reference=_text(data, "external_reference", row, limit=REFERENCE_MAX_LENGTH),
        source=source, comments=comments, attachments=attachments,
    )
    if not ticket.requester:
        row.fail(_("“requester” is missing."))
    return ticket


# --- Looking up people, organizations and categories ---------------------------------------------------------


class Directory:
    """Organizations, people and categories by the names the file uses; loaded once, then per batch."""

    def __init__(self) -> None:
        self.organizations: dict[str, Organization] = {}
        self.users: dict[str, User | None] = {}
        self.categories: dict[tuple[str, ...], Category] = {}
        by_id = {c.pk: c for c in Category.objects.select_related("service_team")}
        for category in by_id.values():
            path: list[str] = []
            node: Category | None = category
            while node is not None:
                path.append(node.name.casefold())
                node = by_id.get(node.parent_id) if node.parent_id else None
            self.categories[tuple(reversed(path))] = category
        self.teams = {c.pk: c.routing_team() for c in by_id.values()}

    def load(self, tickets: list[TicketData]) -> None:
        codes = {t.customer_code for t in tickets} - set(self.organizations)
        self.organizations.update((o.customer_code, o) for o in Organization.objects.filter(customer_code__in=codes))
        emails: set[str] = set()
        for t in tickets:
            emails.update((t.requester, t.assignee, *(c.author for c in t.comments)))
            emails.update(str(a.get("uploaded_by") or "").lower() for a in t.attachments if isinstance(a, dict))
        emails = {e for e in emails if e} - set(self.users)
        found = {u.email.lower(): u for u in User.objects.filter(email__in=emails).select_related("membership")}
        self.users.update((email, found.get(email)) for email in emails)

    def member_or_staff(self, email: str, organization: Organization) -> User | None:
        user = self.users.get(email)
        if user is None:
            return None
        if user.is_staff:
            return user
        membership = getattr(user, "membership", None)
        return user if membership is not None and membership.organization_id == organization.pk else None


def resolve(ticket: TicketData, directory: Directory, read: Callable[[str], bytes | None]) -> dict | None:
    """The ticket's foreign keys and files, or None (the row then says why)."""
    row = ticket.row
    if row.failed:
        return None
    organization = directory.organizations.get(ticket.customer_code)
    if organization is None:
        row.fail(_("No organization has the customer code %(code)s; import the organizations first.")
                 % {"code": ticket.customer_code})
        return None
    requester = directory.users.get(ticket.requester)
    membership = getattr(requester, "membership", None) if requester else None
    if requester is None or requester.is_staff or membership is None or membership.organization_id != organization.pk:
        row.fail(_("The requester %(email)s is not a contact of organization %(code)s.")
                 % {"email": ticket.requester, "code": ticket.customer_code})
    category = directory.categories.get(tuple(part.casefold() for part in ticket.category))
    if category is None:
        row.fail(_("There is no category “%(path)s”.") % {"path": " > ".join(ticket.category)})
    assignee = None
    if ticket.assignee:
        assignee = directory.users.get(ticket.assignee)
        if assignee is None or not assignee.is_staff:
            row.fail(_("The assignee %(email)s is not an agent.") % {"email": ticket.assignee})
    authors = []
    for position, comment in enumerate(ticket.comments, start=1):
        author = directory.member_or_staff(comment.author, organization)
        if author is None:
            row.fail(_("Comment %(position)d: %(email)s is neither an agent nor a contact of organization "
                       "%(code)s.") % {"position": position, "email": comment.author, "code": ticket.customer_code})
        elif comment.internal and not author.is_staff:
            row.fail(_("Comment %(position)d: only agents write internal notes.") % {"position": position})
        authors.append(author)
    files = []
    owners = [(None, item) for item in ticket.attachments] + [
        (index, item) for index, comment in enumerate(ticket.comments) for item in comment.attachments
    ]
    for comment_index, item in owners:
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            row.fail(_("Each attachment must be an object with “file”, its path beside the tickets file."))
            continue
        content = read(item["file"])
        if content is None:
            row.fail(_("The attachment %(file)s is not there.") % {"file": item["file"]})
            continue
        try:
            name, content_type = validate_upload(SimpleUploadedFile(str(item.get("name") or item["file"]), content))
        except ValidationError as error:
            row.fail(" ".join(error.messages))
            continue
        if comment_index is not None:
            at, uploader = ticket.comments[comment_index].created_at, ticket.comments[comment_index].author
        else:
            at = parse_datetime_value(item.get("created_at")) or ticket.created_at
            uploader = str(item.get("uploaded_by") or ticket.requester).lower()
        files.append((comment_index, name, content_type, item["file"], at, uploader))
    if row.failed:
        return None
    ticket.files = files
    return {"organization": organization, "requester": requester, "category": category, "assignee": assignee,
            "authors": authors}


# --- Writing ------------------------------------------------------------------------------------------------


def _build(ticket: TicketData, refs: dict, directory: Directory) -> Ticket:
    dates = [ticket.created_at, *(c.created_at for c in ticket.comments)]
    closed_at = None
    if is_closed(ticket.status):
        closed_at = ticket.closed_at or ticket.updated_at or max(dates)
        dates.append(closed_at)
    updated_at = max([ticket.updated_at or ticket.created_at, *dates])
    category = refs["category"]
    return Ticket(
        number=ticket.number, organization=refs["organization"], created_by=refs["requester"], title=ticket.title,
        description=ticket.description, priority=ticket.priority, status=ticket.status.value,
        external_reference=ticket.external_reference, category=category,
        service_team=directory.teams.get(category.pk), assignee=refs["assignee"], source=ticket.source,
        created_at=ticket.created_at, updated_at=updated_at, closed_at=closed_at,
        status_changed_at=closed_at or updated_at,
    )


def _write(batch: list[tuple[TicketData, dict]], directory: Directory, report: Report,
           read: Callable[[str], bytes | None]) -> None:
    reserve_numbers_through(max(int(ticket.number) for ticket, _refs in batch))
    existing = {
        number: (organization_id, title, created_at)
        for number, organization_id, title, created_at in Ticket.objects.filter(
            number__in=[ticket.number for ticket, _refs in batch]
        ).values_list("number", "organization_id", "title", "created_at")
    }
    new = []
    for ticket, refs in batch:
        found = existing.get(ticket.number)
        if found is None:
            new.append((ticket, refs, _build(ticket, refs, directory)))
        elif found == (refs["organization"].pk, ticket.title, ticket.created_at):
            ticket.row.outcome = UNCHANGED
            ticket.row.note(_("Imported before."))
        else:
            ticket.row.fail(_("Ticket %(number)s exists already and is another ticket.") % {"number": ticket.number})
    Ticket.objects.bulk_create([built for _t, _r, built in new])
    comments, comment_owner, created_events, files = [], [], [], []
    for ticket, refs, built in new:
        ticket.row.outcome = CREATED
        created_events.append(TicketEvent(
            ticket=built, actor=refs["requester"], type=TicketEvent.Type.CREATED, created_at=built.created_at,
            data={**events.ticket_created_data(status=built.status, source=built.source), "imported": True},
        ))
        own = []
        for comment, author in zip(ticket.comments, refs["authors"], strict=True):
            own.append(Comment(ticket=built, author=author, body=comment.body, is_internal=comment.internal,
                               source=Source.DESK if author.is_staff else built.source, created_at=comment.created_at))
        comments.extend(own)
        comment_owner.append(own)
        report.extra["comments"] += len(own)
    Comment.objects.bulk_create(comments)
    TicketEvent.objects.bulk_create(created_events)
    for (ticket, _refs, built), own in zip(new, comment_owner, strict=True):
        for comment_index, name, content_type, path, at, uploader in ticket.files:
            content = read(path) or b""
            attachment = Attachment(
                ticket=built, comment=own[comment_index] if comment_index is not None else None,
                original_name=name, size=len(content), content_type=content_type,
                uploaded_by=directory.users.get(uploader), created_at=at,
            )
            # Stored now (storage API: local disk or S3), so only one file's content is in memory at a time.
            attachment.file.save(name, ContentFile(content), save=False)
            delete_file_on_rollback(attachment.file.storage, attachment.file.name or "")  # a batch rolled back
            files.append(attachment)
    Attachment.objects.bulk_create(files)
    report.extra["attachments"] += len(files)


def _reserve_all_numbers(source: TicketFile) -> None:
    """Before the first batch: tickets created during the import are numbered after the whole file."""
    highest = 0
    for _line, text in source.lines():
        try:
            number = str(json.loads(text).get("number", "")).strip()
        except (ValueError, AttributeError):
            continue
        if number.isascii() and number.isdigit() and int(number) <= LAST_NUMBER:
            highest = max(highest, int(number))
    if highest:
        with transaction.atomic():
            reserve_numbers_through(highest)


def import_tickets(source: TicketFile, *, commit_changes: bool, statuses: dict[str, Status] | None = None,
                   batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None) -> Report:
    statuses = statuses or status_map()
    report = Report()
    directory = Directory()
    seen: dict[str, int] = {}
    pending: list[TicketData] = []

    def flush() -> None:
        directory.load(pending)
        ready = []
        for ticket in pending:
            refs = resolve(ticket, directory, source.read)
            if refs is not None:
                ready.append((ticket, refs))
        if ready and commit_changes:
            try:
                with operation():  # a transaction that also removes the files of a batch rolled back
                    _write(ready, directory, report, source.read)
            except IntegrityError:
                # A ticket with one of these numbers was committed meanwhile: write them one by one.
                for one in ready:
                    try:
                        with operation():
                            _write([one], directory, report, source.read)
                    except IntegrityError:
                        one[0].row.fail(_("Ticket %(number)s was created by someone else meanwhile.")
                                        % {"number": one[0].number})
        elif ready:
            numbers = set(Ticket.objects.filter(number__in=[t.number for t, _r in ready])
                          .values_list("number", flat=True))
            for ticket, _refs in ready:
                ticket.row.outcome = UNCHANGED if ticket.number in numbers else CREATED
                if ticket.number in numbers:
                    ticket.row.note(_("Ticket %(number)s exists already.") % {"number": ticket.number})
        pending.clear()
        if progress:
            progress(len(report.rows))

    try:
        if commit_changes:
            _reserve_all_numbers(source)
        for line, text in source.lines():
            parsed = parse_ticket(line, text, statuses)
            row = parsed if isinstance(parsed, RowResult) else parsed.row
            report.rows.append(row)
            if isinstance(parsed, RowResult) or row.failed:
                continue
            if parsed.number in seen:
                row.fail(_("The number %(number)s is already on line %(line)d.")
                         % {"number": parsed.number, "line": seen[parsed.number]})
                continue
            seen[parsed.number] = line
            pending.append(parsed)
            if len(pending) >= batch_size:
                flush()
        if pending:
            flush()
    finally:
        source.close()
    return report

