"""Organizations and their contacts from a CSV or XLSX table (issue 16, item 4).

One row per contact; a row without an e-mail address names only the
organization. Rows of the same customer code describe the same organization.
The upsert is keyed by customer code (organizations) and e-mail address
(contacts), so running a file again changes nothing.

Everything is decided first, against the database as it is (``plan``); a dry
run stops there and reports. A commit writes in batches, each batch one
transaction, through bulk inserts that keep the invariants of
``accounts.services.contact_invite``: a new contact is an inactive user without
a usable password, an inactive member of exactly one organization, in that
organization's language. Contacts are invited afterwards through that very
service, one unit of work each, so the e-mails leave through the task queue.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.accounts.services import contact_invite, normalize_email
from tessera.organizations.models import Membership, Organization, Role

from .readers import Table
from .report import CREATED, ERROR, UNCHANGED, UPDATED, ImportFileError, Report, RowResult

COLUMNS = ("customer_code", "name", "postal_code", "city", "country", "language",
           "email", "first_name", "last_name", "role")
#: A file without these columns is refused; a new organization also needs values in them (one that exists does not).
REQUIRED_COLUMNS = ("customer_code", "name", "postal_code")
#: Other names an ERP or CRM export gives the same columns.
ALIASES = {
    "code": "customer_code", "customer": "customer_code", "customer_number": "customer_code",
    "customer_no": "customer_code", "organization": "name", "organization_name": "name", "company": "name",
    "zip": "postal_code", "zip_code": "postal_code", "postcode": "postal_code", "town": "city",
    "e_mail": "email", "mail": "email", "contact_email": "email", "e_mail_address": "email",
    "email_address": "email", "first": "first_name", "firstname": "first_name", "given_name": "first_name",
    "last": "last_name", "lastname": "last_name", "surname": "last_name", "family_name": "last_name",
}
ORGANIZATION_FIELDS = ("name", "postal_code", "city", "country", "language")
BATCH_SIZE = 500

LANGUAGE_NAMES = {
    "en": "en", "english": "en", "englisch": "en", "inglese": "en",
    "it": "it", "italian": "it", "italiano": "it", "italienisch": "it",
    "de": "de", "german": "de", "deutsch": "de", "tedesco": "de",
}
ROLE_NAMES = {
    "restricted": Role.RESTRICTED, "restricted user": Role.RESTRICTED,
    "basic": Role.BASIC, "basic user": Role.BASIC, "user": Role.BASIC,
    "manager": Role.MANAGER,
    "admin": Role.ADMIN, "administrator": Role.ADMIN, "organization administrator": Role.ADMIN,
}


@dataclass
class OrganizationData:
    customer_code: str
    name: str
    postal_code: str
    city: str
    country: str
    language: str
    line: int
    rows: list[RowResult] = field(default_factory=list)
    existing: Organization | None = None
    changes: dict[str, str] = field(default_factory=dict)

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ORGANIZATION_FIELDS}


@dataclass
class ContactData:
    email: str
    first_name: str
    last_name: str
    role: Role
    organization: OrganizationData
    row: RowResult
    existing: User | None = None
    create: bool = False
    new_role: Role | None = None
    invite: bool = False


@dataclass
class Plan:
    report: Report
    organizations: list[OrganizationData]
    contacts: list[ContactData]


def check_columns(header: Iterable[str]) -> dict[str, str]:
    """The file's column names → ours; wrong or missing columns make the file unreadable."""
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for column in header:
        ours = ALIASES.get(column, column)
        if ours in COLUMNS and ours not in mapping.values():
            mapping[column] = ours
        else:
            unknown.append(column)
    missing = [column for column in REQUIRED_COLUMNS if column not in mapping.values()]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        problems.append(_("Expected the columns %(columns)s (the first three are required).")
                        % {"columns": ", ".join(COLUMNS)})
        raise ImportFileError(" ".join(problems))
    return mapping


def _limited(row: RowResult, label: str, value: str, limit: int) -> str:
    if len(value) > limit:
        row.fail(_("%(field)s is longer than %(max)d characters.") % {"field": label, "max": limit})
    return value


def _parse_row(line: int, cells: dict[str, str]) -> tuple[RowResult, OrganizationData | None, dict | None]:
    code = cells.get("customer_code", "").strip()
    email = normalize_email(cells.get("email", "")) if cells.get("email", "").strip() else ""
    row = RowResult(line=line, key=" ".join(part for part in (code, email) if part))
    name = " ".join(cells.get("name", "").split())
    postal_code = cells.get("postal_code", "").strip()
    if not code:
        row.fail(_("The customer code is missing."))
    _limited(row, _("Customer code"), code, 32)
    _limited(row, _("Name"), name, 200)
    _limited(row, _("Postal code"), postal_code, 16)
    city = _limited(row, _("City"), " ".join(cells.get("city", "").split()), 120)
    country = cells.get("country", "").strip().upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        row.fail(_("The country must be a two-letter code such as IT, DE or AT, not “%(value)s”.")
                 % {"value": country})
    language_text = cells.get("language", "").strip()
    language = LANGUAGE_NAMES.get(language_text.casefold(), "") if language_text else ""
    if language_text and not language:
        row.fail(_("Unknown language “%(value)s”: use one of %(languages)s.")
                 % {"value": language_text, "languages": ", ".join(code for code, _name in settings.LANGUAGES)})
    organization = OrganizationData(code, name, postal_code, city, country, language, line)
    contact = None
    role_text = " ".join(cells.get("role", "").split()).casefold()
    role = ROLE_NAMES.get(role_text, Role.BASIC) if role_text else Role.BASIC
    if role_text and role_text not in ROLE_NAMES:
        row.fail(_("Unknown role “%(value)s”: use restricted, basic, manager or admin.") % {"value": role_text})
    first_name = _limited(row, _("First name"), " ".join(cells.get("first_name", "").split()), 150)
    last_name = _limited(row, _("Last name"), " ".join(cells.get("last_name", "").split()), 150)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.fail(_("“%(value)s” is not a valid e-mail address.") % {"value": email})
        contact = {"email": email, "first_name": first_name, "last_name": last_name, "role": role}
    elif first_name or last_name or role_text:
        row.fail(_("The contact has no e-mail address."))
    return row, (None if row.failed else organization), contact


def plan(table: Table, *, invite: bool = False) -> Plan:
    """Decide every row against the database as it is now; nothing is written."""
    mapping = check_columns(table.header)
    report = Report()
    organizations: dict[str, OrganizationData] = {}
    contacts: dict[str, ContactData] = {}
    for line, raw in table.rows:
        cells = {mapping[column]: value for column, value in raw.items() if column in mapping}
        row, organization, contact = _parse_row(line, cells)
        report.rows.append(row)
        if organization is None:
            continue
        known = organizations.get(organization.customer_code)
        if known is None:
            organizations[organization.customer_code] = known = organization
        else:
            differing = [name for name in ORGANIZATION_FIELDS if getattr(organization, name)
                         and getattr(known, name) and getattr(organization, name) != getattr(known, name)]
            if differing:
                row.fail(_("The organization's %(fields)s differ from line %(line)d.")
                         % {"fields": ", ".join(differing), "line": known.line})
                continue
            for name in ORGANIZATION_FIELDS:  # a later row may fill in what an earlier one left empty
                if not getattr(known, name):
                    setattr(known, name, getattr(organization, name))
        if contact is not None:
            earlier = contacts.get(contact["email"])
            if earlier is not None:
                row.fail(_("The e-mail address %(email)s is already on line %(line)d.")
                         % {"email": contact["email"], "line": earlier.row.line})
                continue
            contacts[contact["email"]] = ContactData(organization=known, row=row, **contact)
        known.rows.append(row)

    _decide_organizations(list(organizations.values()))
    _decide_contacts(list(contacts.values()), invite=invite)
    # An organization is written only for rows that passed; a row that failed writes nothing.
    wanted = [organization for organization in organizations.values()
              if any(not row.failed for row in organization.rows)]
    for organization in wanted:
        _describe_organization(organization)
    return Plan(report=report, organizations=wanted,
                contacts=[contact for contact in contacts.values() if not contact.row.failed])


def _chunks(items: list, size: int = 2000) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _decide_organizations(organizations: list[OrganizationData]) -> None:
    existing: dict[str, Organization] = {}
    for chunk in _chunks([organization.customer_code for organization in organizations]):
        existing.update((o.customer_code, o) for o in Organization.objects.filter(customer_code__in=chunk))
    for organization in organizations:
        current = organization.existing = existing.get(organization.customer_code)
        if current is None:
            # Only a new organization needs them: for one Tessera has, an empty cell keeps what is there.
            if not (organization.name and organization.postal_code):
                for row in organization.rows:
                    row.fail(_("The organization %(code)s is new: it needs a name and a postal code.")
                             % {"code": organization.customer_code})
            continue
        for name in ORGANIZATION_FIELDS:
            value = getattr(organization, name)
            if value and value != getattr(current, name):  # an empty cell keeps what is there
                organization.changes[name] = value


def _describe_organization(organization: OrganizationData) -> None:
    first = next(row for row in organization.rows if not row.failed)
    if organization.existing is None:
        first.messages.insert(0, _("New organization %(name)s.") % {"name": organization.name})
        _promote(first, CREATED)
    elif organization.changes:
        first.messages.insert(0, _("Organization changes: %(fields)s.") % {"fields": ", ".join(organization.changes)})
        _promote(first, UPDATED)


def _promote(row: RowResult, outcome: str) -> None:
    order = (UNCHANGED, UPDATED, CREATED)
    if row.outcome != ERROR and order.index(outcome) > order.index(row.outcome):
        row.outcome = outcome


def _decide_contacts(contacts: list[ContactData], *, invite: bool) -> None:
    users: dict[str, User] = {}
    for chunk in _chunks([contact.email for contact in contacts]):
        users.update((user.email.lower(), user) for user in
                     User.objects.filter(email__in=chunk).select_related("membership__organization"))
    tokens_of = _users_with_tokens([user.pk for user in users.values()])
    for contact in contacts:
        row, user = contact.row, users.get(contact.email)
        if row.failed:
            continue
        contact.existing = user
        if user is None:
            contact.create = True
            row.note(_("New contact %(email)s (%(role)s).") % {"email": contact.email, "role": contact.role.label})
            _promote(row, CREATED)
        else:
            membership = getattr(user, "membership", None)
            if user.is_staff:
                row.fail(_("%(email)s belongs to the vendor's staff, not to a customer.") % {"email": contact.email})
                continue
            if membership is None:
                row.fail(_("%(email)s has an account that is not linked to any organization; "
                           "link it in the desk first.") % {"email": contact.email})
                continue
            if membership.organization.customer_code != contact.organization.customer_code:
                row.fail(_("%(email)s is a contact of another organization (%(code)s).")
                         % {"email": contact.email, "code": membership.organization.customer_code})
                continue
            never_active = not user.is_active and not user.has_usable_password()
            if membership.role != contact.role:
                if never_active:
                    contact.new_role = contact.role
                    row.note(_("Role: %(old)s → %(new)s.")
                             % {"old": Role(membership.role).label, "new": contact.role.label})
                    _promote(row, UPDATED)
                else:
                    row.note(_("%(email)s already uses the portal: the organization's administrator "
                               "changes the role there.") % {"email": contact.email})
        if invite and (user is None or (
            not user.is_active and not user.has_usable_password() and user.pk not in tokens_of
        )):
            contact.invite = True
            row.note(_("An invitation is sent to %(email)s.") % {"email": contact.email})
            _promote(row, UPDATED)


def _users_with_tokens(user_ids: list[int]) -> set[int]:
    from tessera.accounts.models import AccountToken

    found: set[int] = set()
    for chunk in _chunks(user_ids):
        found.update(AccountToken.objects.filter(user_id__in=chunk).values_list("user_id", flat=True))
    return found


# --- Writing -------------------------------------------------------------------


#: Invitations queued per task: a worker that stops mid-way leaves at most this many to its retry.
INVITATIONS_PER_TASK = 200


def commit(result: Plan, *, invited_by: User | None = None, queue_invitations: bool = False) -> Report:
    """Write what ``plan`` decided, in batches; then invite, or with ``queue_invitations`` leave that to the worker.

    Returns the plan's report. The desk queues (a request must not wait for thousands of invitations);
    the command invites in place and reports each refusal on its row.
    """
    report = result.report
    contacts_by_code: dict[str, list[ContactData]] = {}
    for contact in result.contacts:
        contacts_by_code.setdefault(contact.organization.customer_code, []).append(contact)
    for batch in _chunks(result.organizations, BATCH_SIZE):
        contacts = [contact for organization in batch
                    for contact in contacts_by_code.get(organization.customer_code, [])]
        try:
            with transaction.atomic():
                _write_batch(batch, contacts, report)
        except IntegrityError:
            # Another import or someone in the desk created one of these meanwhile: nothing of the batch is
            # kept; running the file again picks them up.
            for organization in batch:
                for row in organization.rows:
                    if not row.failed:
                        row.fail(_("Changed by someone else during the import; run the import again."))
    invitations = [contact for contact in result.contacts if contact.invite and not contact.row.failed]
    if invitations and invited_by is None:
        raise ValueError("invitations need the staff user who sends them")
    if invitations and queue_invitations:
        from .tasks import import_invitations_send

        assert invited_by is not None
        emails = [contact.email for contact in invitations]
        for chunk in _chunks(emails, INVITATIONS_PER_TASK):
            import_invitations_send.enqueue(emails=chunk, invited_by_id=invited_by.pk)
        report.extra["invitations_queued"] += len(emails)
    elif invitations:
        assert invited_by is not None
        for contact in invitations:
            organization = contact.organization.existing
            assert organization is not None
            try:
                contact_invite(organization=organization, email=contact.email, first_name=contact.first_name,
                               last_name=contact.last_name, invited_by=invited_by)
            except ValidationError as error:
                contact.row.fail(" ".join(error.messages))
            else:
                report.extra["invited"] += 1
    return report


def _write_batch(organizations: list[OrganizationData], contacts: list[ContactData], report: Report) -> None:
    now = timezone.now()
    new = []
    for organization in organizations:
        if organization.existing is None:
            organization.existing = Organization(
                customer_code=organization.customer_code, name=organization.name,
                postal_code=organization.postal_code, city=organization.city, country=organization.country,
                language=organization.language or settings.LANGUAGE_CODE,
            )
            new.append(organization.existing)
    Organization.objects.bulk_create(new)
    changed = []
    for organization in organizations:
        current = organization.existing
        if organization.changes and current is not None:
            for name, value in organization.changes.items():
                setattr(current, name, value)
            current.updated_at = now
            changed.append(current)
    if changed:
        Organization.objects.bulk_update(changed, [*ORGANIZATION_FIELDS, "updated_at"])
    report.extra["organizations_created"] += len(new)
    report.extra["organizations_updated"] += len(changed)

    users, memberships = [], []
    for contact in contacts:
        if not contact.create:
            continue
        owner = contact.organization.existing
        assert owner is not None
        user = User(email=contact.email, first_name=contact.first_name, last_name=contact.last_name,
                    language=owner.language, is_active=False)
        user.set_unusable_password()
        users.append(user)
        memberships.append(Membership(user=user, organization=owner, role=contact.role, is_active=False))
        contact.existing = user
    User.objects.bulk_create(users)
    Membership.objects.bulk_create(memberships)
    report.extra["contacts_created"] += len(users)
    roles = [contact for contact in contacts if contact.new_role is not None and not contact.create]
    for contact in roles:
        Membership.objects.filter(user=contact.existing).update(role=contact.new_role, updated_at=now)
    report.extra["contacts_updated"] += len(roles)


def import_organizations(table: Table, *, commit_changes: bool, invite: bool = False,
                         invited_by: User | None = None, queue_invitations: bool = False) -> Report:
    result = plan(table, invite=invite)
    if not commit_changes:
        return result.report
    return commit(result, invited_by=invited_by, queue_invitations=queue_invitations)

