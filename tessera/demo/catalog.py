"""What the demo data is made of: people, organizations, the category tree and the words in tickets.

Kept apart from the code that writes rows so the story can be read (and
extended) without reading the mechanics. The vendor sells software to medical
practices, dental practices, laboratories and clinics; every ticket text is a
problem such a customer really reports.
"""

from dataclasses import dataclass

from tessera.organizations.models import Role
from tessera.tickets.models import CategoryField

# Public on purpose: printed after seeding so anyone trying the demo can sign in.
DEMO_PASSWORD = "tessera-demo-1"  # noqa: S105

Kind = CategoryField.Kind

#: The vendor's brand (tessera.branding): the product name and the tagline of seed 000's header.
BRANDING = {
    "product_name": "Tessera Health",
    "tagline": "Synchronizing Healthcare",
    "primary_color": "#0b4f8a",
    "support_phone": "+39 02 4000 1234",
    "support_email": "support@tessera.example",
    "support_hours": "Mon–Fri 8:00–18:00",
}


# --- People and organizations ------------------------------------------------

@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    email: str


TEAMS = (
    TeamSpec("practice", "Practice & Clinic Support", "practice-support@tessera.example"),
    TeamSpec("dental", "Dental & Imaging Support", "dental-support@tessera.example"),
    TeamSpec("lab", "Laboratory & Interfaces Support", "lab-support@tessera.example"),
)


@dataclass(frozen=True)
class VendorUserSpec:
    email: str
    first_name: str
    last_name: str
    teams: tuple[str, ...] = ()
    is_superuser: bool = False


VENDOR_USERS = (
    VendorUserSpec("admin@tessera.example", "Laura", "Ferrari", is_superuser=True),
    # The demo agent sits in two teams, so the desk shows more than one queue.
    VendorUserSpec("agent@tessera.example", "Marco", "Galli", teams=("practice", "dental")),
    VendorUserSpec("giulia.conti@tessera.example", "Giulia", "Conti", teams=("practice",)),
    VendorUserSpec("elif.yilmaz@tessera.example", "Elif", "Yilmaz", teams=("practice",)),
    VendorUserSpec("stefan.huber@tessera.example", "Stefan", "Huber", teams=("dental",)),
    VendorUserSpec("tobias.lang@tessera.example", "Tobias", "Lang", teams=("dental",)),
    VendorUserSpec("katrin.vogel@tessera.example", "Katrin", "Vogel", teams=("lab",)),
    VendorUserSpec("paolo.greco@tessera.example", "Paolo", "Greco", teams=("lab",)),
)


@dataclass(frozen=True)
class MemberSpec:
    email: str
    first_name: str
    last_name: str
    role: str
    #: How often this person opens tickets, relative to colleagues.
    ticket_weight: int = 1


@dataclass(frozen=True)
class OrganizationSpec:
    customer_code: str
    name: str
    postal_code: str
    city: str
    country: str
    language: str
    members: tuple[MemberSpec, ...]
    #: Shared mailboxes customers like to put in CC.
    cc_addresses: tuple[str, ...]
    #: Share of the demo tickets.
    ticket_share: float
    #: The products (level-1 categories) the organization uses, with how often it reports about each.
    products: tuple[tuple[str, int], ...]


ORGANIZATIONS = (
    OrganizationSpec(
        customer_code="100234",
        name="Studio Medico Rossi",
        postal_code="20121",
        city="Milano",
        country="IT",
        language="it",
        members=(
            MemberSpec("admin@praxis-rossi.example", "Paolo", "Rossi", Role.ADMIN, 2),
            MemberSpec("manager@praxis-rossi.example", "Chiara", "Rossi", Role.MANAGER, 3),
            MemberSpec("user@praxis-rossi.example", "Francesca", "Colombo", Role.BASIC, 6),
            MemberSpec("s.ricci@praxis-rossi.example", "Sara", "Ricci", Role.BASIC, 4),
            MemberSpec("new@praxis-rossi.example", "Luca", "Moretti", Role.RESTRICTED, 0),
        ),
        cc_addresses=("segreteria@praxis-rossi.example", "amministrazione@praxis-rossi.example"),
        ticket_share=0.6,
        products=(("Practice management", 6), ("Laboratory", 2), ("Clinic", 1)),
    ),
    OrganizationSpec(
        customer_code="200417",
        name="Zahnarztpraxis Weber",
        postal_code="80331",
        city="München",
        country="DE",
        language="de",
        members=(
            MemberSpec("admin@zahnarzt-weber.example", "Klaus", "Weber", Role.ADMIN, 2),
            MemberSpec("manager@zahnarzt-weber.example", "Sabine", "Weber", Role.MANAGER, 3),
            MemberSpec("user@zahnarzt-weber.example", "Jana", "Schneider", Role.BASIC, 6),
            MemberSpec("m.koch@zahnarzt-weber.example", "Michael", "Koch", Role.BASIC, 3),
            MemberSpec("new@zahnarzt-weber.example", "Felix", "Braun", Role.RESTRICTED, 0),
        ),
        cc_addresses=("empfang@zahnarzt-weber.example", "abrechnung@zahnarzt-weber.example"),
        ticket_share=0.4,
        products=(("Dental", 6), ("Practice management", 3)),
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    organization: str
    email: str


#: The logins printed after seeding, in the order a tester tries them.
DEMO_LOGINS = (
    DemoLogin("Vendor administrator", "Tessera (vendor)", "admin@tessera.example"),
    DemoLogin("Agent", "Tessera (vendor)", "agent@tessera.example"),
    DemoLogin("Organization administrator", "Studio Medico Rossi", "admin@praxis-rossi.example"),
    DemoLogin("Manager", "Studio Medico Rossi", "manager@praxis-rossi.example"),
    DemoLogin("Basic user", "Studio Medico Rossi", "user@praxis-rossi.example"),
    DemoLogin("Restricted user (awaiting approval)", "Studio Medico Rossi", "new@praxis-rossi.example"),
    DemoLogin("Basic user", "Zahnarztpraxis Weber", "user@zahnarzt-weber.example"),
)


# --- Category tree -----------------------------------------------------------

@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help_text: str = ""
    #: Values a customer typically enters (text and number fields).
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    title: str
    description: str
    #: Support's answer that solved it.
    solution: str


@dataclass(frozen=True)
class CategorySpec:
    name: str
    team: str | None = None
    fields: tuple[FieldSpec, ...] = ()
    problems: tuple[Problem, ...] = ()
    children: tuple["CategorySpec", ...] = ()


def node(name, *children, team=None, fields=(), problems=()):
    return CategorySpec(
        name=name, team=team, fields=tuple(fields), children=tuple(children),
        problems=tuple(Problem(title, description, SOLUTIONS[title]) for title, description in problems),
    )


#: What support finally answers, per problem title: the demo's solutions fit their problems.
SOLUTIONS = {
    "Recurring appointments disappear after editing one date":
        "Editing a single date detached the rest of the series. We restored the series from the log; "
        "update 25.1.1 fixes the cause.",
    "Weekly series is not created beyond December":
        "The series was limited by the calendar's planning horizon. We extended it to 18 months in "
        "Settings › Calendar; the January dates are now created.",
    "Treatment room shown twice in the day view":
        "Room 2 existed twice after the import of the new room plan. We merged the two rooms and moved the "
        "appointments of the duplicate.",
    "ECG device can be booked twice at the same time":
        "The device had lost its 'exclusive resource' flag. We set it again, double bookings are refused.",
    "Calendar opens very slowly in the morning":
        "All workstations rebuilt their calendar cache at start. We moved the rebuild to the server's "
        "night job; the calendar now opens in a few seconds.",
    "Online booking page shows no free slots":
        "The online booking rules still pointed at last year's opening hours. We updated them, free slots are "
        "shown again.",
    "Patients receive the booking confirmation twice":
        "Both the booking module and the reminder service sent a confirmation. We switched off the one in "
        "the reminder service.",
    "SMS reminders not sent since yesterday":
        "The SMS gateway credit was used up. We topped it up on your behalf; the queued reminders went out.",
    "Reminder text shows the old practice address":
        "The SMS text template has its own address field. We updated it to the new address.",
    "Logo missing on printed invoices":
        "The update reset the logo path of the invoice layout. We set it again; invoices print with the logo.",
    "VAT line printed twice on the invoice":
        "The certificate service code had VAT assigned twice. We corrected the service code.",
    "Second reminder generated although the invoice is paid":
        "The payment was booked on a different invoice number. We moved it and cancelled the reminder.",
    "Quarterly claim file rejected by the insurer portal":
        "The insurer changed the file format this quarter. Update 25.1.0 writes the new format; please create "
        "the file again.",
    "Claim transmission aborts with 'certificate expired'":
        "The renewed practice card was not yet activated in the program. We activated it, transmission works "
        "again.",
    "List of rejected claims stays empty after import":
        "The records were imported for the previous quarter. We re-ran the import for the right quarter.",
    "Scanner not found from the patient file":
        "The program used the old TWAIN driver. We switched it to the WIA driver Windows uses.",
    "Scanned PDFs stored under the wrong patient":
        "Scanning continued with the previous patient when the file was switched mid-scan. We moved the two "
        "documents; update 25.1.1 locks the patient during a scan.",
    "Referral letter template loses its formatting":
        "The template had been saved in plain text format. We restored the formatted version from the backup.",
    "Placeholder for the date of birth stays empty":
        "The placeholder was renamed in the update. We replaced it in your templates.",
    "Lab results not imported since Monday":
        "The laboratory changed the folder the results are stored in. We pointed the import at the new folder; "
        "all results have arrived.",
    "Lab results assigned to a patient with the same name":
        "The import matched by name only. We turned on matching by date of birth and moved the result.",
    "Allergy warning not shown when prescribing":
        "The allergy was recorded as free text. We recorded it as a coded allergy, so the check recognises it.",
    "Diagnoses list sorted in the wrong order":
        "The sort order is stored per user and had been reset. We set it back to 'newest first'.",
    "Server service does not start after the Windows update":
        "The Windows update reset the service account's rights. We restored them; the service starts again.",
    "Nightly database backup fails":
        "The backup checked the free space of the wrong drive. We corrected the target drive in the backup "
        "settings.",
    "Workstation cannot connect to the server after the update":
        "The firewall of the reception PC blocked the new program version. We added the exception.",
    "Program very slow on one workstation":
        "The antivirus software scanned the program folder on every access. We excluded the folder.",
    "Update stops at 87 %":
        "The database migration timed out on your data volume. We ran the update with a longer timeout via "
        "remote session.",
    "Update announced but not offered":
        "Updates are rolled out in waves; your practice is in the next one. You can also install it now from "
        "the download page.",
    "X-ray images open only in low resolution":
        "The viewer opened the preview images. We set it to load the full DICOM images.",
    "Tooth numbers shifted in the dental chart":
        "The chart used a wrong tooth scheme after the update. We set the FDI scheme again; findings are shown "
        "at the right teeth.",
    "Bridge across teeth 24 to 26 cannot be recorded":
        "Tooth 25 was recorded as present in an older finding. After closing that finding the bridge can be "
        "recorded.",
    "Pocket depths not saved in the periodontal chart":
        "Values were lost when switching jaws before saving. Update 25.1.1 saves each jaw; until then, save "
        "before switching.",
    "Cost estimate not transmitted to the health insurer":
        "The insurer's address for electronic cost estimates had changed. We updated the directory.",
    "Approved plan still shows 'pending'":
        "The approval message had not been fetched. We fetched the messages manually; the plan is approved.",
    "Patient share calculated wrongly on the cost estimate":
        "A laboratory cost position was counted twice. We corrected the plan; please print it again.",
    "Intraoral sensor not detected in room 2":
        "The sensor's USB port in room 2 went into power saving mode. We switched power saving off for it.",
    "X-ray bridge freezes after the exposure":
        "The bridge waited for a network share that no longer exists. We set the new image folder.",
    "Panoramic images arrive without the patient name":
        "The OPG's worklist was not activated after the device service. We activated it again.",
    "Intraoral camera image is green":
        "The camera needs USB 3; on the USB 2 port the colours are wrong. Please plug it back into the blue "
        "port.",
    "Billing codes for fillings missing after the update":
        "The new code catalogue had not been imported. We imported it; the codes are available again.",
    "Quarterly totals differ from the statistics":
        "The statistics included invoices cancelled after the billing run. Both figures are correct; we "
        "explained the difference in the attached overview.",
    "Order entry form does not open for new patients":
        "The form needs the patient's insurance data, which was missing. Update 25.1.1 shows a message "
        "instead of closing.",
    "Ordered tests are duplicated":
        "Two order profiles contained the same test. We removed the duplicate from the second profile.",
    "Label printer prints empty labels":
        "The printer was set to thermal transfer without a ribbon. We switched it to direct thermal.",
    "Barcode cannot be read by the analyzer":
        "The label layout was switched to a barcode type the analyzer does not read. We set Code 128 again.",
    "HL7 results stuck in the inbound queue":
        "One malformed message blocked the queue. We moved it aside; the queue is processed again and we sent "
        "the message to the laboratory.",
    "Special characters broken in imported results":
        "The interface read the messages as Latin-1 while the laboratory sends UTF-8. We corrected the "
        "character set.",
    "Wrong reference range for children":
        "The age-specific ranges were not active for creatinine. We activated them.",
    "Analyzer connection drops every few hours":
        "The serial-to-network converter dropped idle connections. We turned on keep-alive.",
    "Worklist not sent to the analyzer":
        "The worklist was sent to the analyzer's old IP address. We updated it.",
    "Bed occupancy board does not refresh":
        "The board's automatic refresh was switched off by a browser update. We set the board page as a "
        "trusted site again.",
    "Discharged patients still shown on the ward":
        "The discharges were recorded without a discharge time. We completed them; the beds are free.",
    "Admission form crashes when the insurance card is read":
        "The card reader driver was outdated. We installed the current driver.",
    "Medication plan printout cuts off the last line":
        "The plan layout had a fixed height. We switched it to the layout that continues on a second page.",
    "Dosage schedule shows the wrong times":
        "The schedule stored times in standard time. Update 25.1.1 fixes the daylight saving time offset.",
    "Monthly drug database update failed":
        "The download was blocked by the proxy server. We added the update server to its allowed list.",
    "ADT messages to the laboratory system are delayed":
        "The interface engine sent messages in batches every 40 minutes. We switched it to sending at once.",
    "FHIR endpoint returns error 500 for patient search":
        "Searching by family name failed for names with an apostrophe. Hotfix 25.1.1-2 is installed on your "
        "server.",
    "PACS images cannot be opened from the patient record":
        "The PACS link used the old accession number format. We updated the link template.",
}


WORKSTATION = FieldSpec(
    "workstation", "Workstation name", Kind.TEXT,
    help_text="Shown in the lower left corner of the program window.",
    samples=("RECEPTION-01", "RECEPTION-02", "DOC-ROOM-1", "DOC-ROOM-3", "LAB-PC", "ADMIN-PC", "SERVER01"),
)
PROGRAM_VERSION = FieldSpec(
    "program_version", "Program version", Kind.TEXT, required=True,
    help_text="Help › About shows it, e.g. 24.3.1.",
    samples=("24.2.1", "24.3.0", "24.3.2", "25.1.0", "25.1.1"),
)

CATEGORY_TREE = (
    node(
        "Practice management",
        node(
            "Appointments",
            node(
                "Calendar",
                node("Recurring appointments", problems=[
                    ("Recurring appointments disappear after editing one date",
                     "When we move a single appointment of a weekly series, all following appointments of "
                     "the series vanish from the calendar. The patient still has the printed list of dates."),
                    ("Weekly series is not created beyond December",
                     "A physiotherapy series of 12 appointments only shows the dates up to 31 December; "
                     "the dates in January are missing although the series dialog shows 12."),
                ]),
                node("Rooms and devices", problems=[
                    ("Treatment room shown twice in the day view",
                     "Since this morning room 2 appears twice in the day view, and appointments booked in "
                     "the second column do not show up on the other workstations."),
                    ("ECG device can be booked twice at the same time",
                     "The calendar allows two appointments on the ECG device in the same slot; the "
                     "double-booking warning no longer appears."),
                ]),
                problems=[
                    ("Calendar opens very slowly in the morning",
                     "Opening the calendar takes more than a minute between 7:30 and 8:30, when all "
                     "workstations start. Later in the day it is fast again."),
                ],
            ),
            node("Online booking", problems=[
                ("Online booking page shows no free slots",
                 "Patients tell us that the online booking page shows no free appointments at all, "
                 "although the calendar has free slots every afternoon next week."),
                ("Patients receive the booking confirmation twice",
                 "Every patient who books online gets two identical confirmation e-mails. Some of them "
                 "think they booked twice and call us."),
            ]),
            node("SMS reminders", problems=[
                ("SMS reminders not sent since yesterday",
                 "The reminder log shows 'queued' for all SMS since yesterday 14:00 and none has been "
                 "delivered. Several patients missed their appointment this morning."),
                ("Reminder text shows the old practice address",
                 "We moved last month and changed the address in the practice settings, but the SMS "
                 "reminders still show the old street."),
            ]),
        ),
        node(
            "Billing",
            node(
                "Invoices",
                node("Invoice layout", problems=[
                    ("Logo missing on printed invoices",
                     "Since the last update our logo is no longer printed on invoices. The preview shows it, "
                     "the printout and the PDF do not."),
                    ("VAT line printed twice on the invoice",
                     "Invoices for certificates show the VAT line twice, so the total looks wrong to the "
                     "patient even though the amount is correct."),
                ]),
                node("Payment reminders", problems=[
                    ("Second reminder generated although the invoice is paid",
                     "The payment was booked two weeks ago, but the reminder run created a second reminder "
                     "for the same invoice."),
                ]),
            ),
            node(
                "Insurance claims",
                node("Electronic submission", problems=[
                    ("Quarterly claim file rejected by the insurer portal",
                     "The insurer portal rejects our quarterly claim file with 'invalid record structure'. "
                     "Last quarter the same steps worked."),
                    ("Claim transmission aborts with 'certificate expired'",
                     "Sending the claims stops with the message 'certificate expired'. We renewed the "
                     "practice card last week."),
                ]),
                node("Rejected claims", problems=[
                    ("List of rejected claims stays empty after import",
                     "We imported the rejection file from the insurer, the import reports 37 records, but "
                     "the list of rejected claims stays empty."),
                ]),
            ),
            fields=[
                FieldSpec("invoice_number", "Invoice number", Kind.TEXT, required=True,
                          help_text="The number printed on the invoice, e.g. 2025-00431.",
                          samples=("2025-00431", "2025-01187", "2024-09912", "2025-00078", "2025-02241")),
                FieldSpec("invoice_amount", "Invoice amount (EUR)", Kind.NUMBER,
                          samples=("35.00", "128.50", "74.20", "1240.00", "19.90")),
            ],
        ),
        node(
            "Patient records",
            node(
                "Documents",
                node("Scanning", problems=[
                    ("Scanner not found from the patient file",
                     "Clicking 'Scan document' in the patient file says 'no scanner found'. Scanning from "
                     "Windows works on the same PC."),
                    ("Scanned PDFs stored under the wrong patient",
                     "Two scanned referral letters ended up in the file of the patient opened before. We "
                     "noticed it only because the names did not match."),
                ]),
                node("Letters and templates", problems=[
                    ("Referral letter template loses its formatting",
                     "After editing the referral letter template, all bold text and the table with the "
                     "diagnoses are gone when the letter is generated."),
                    ("Placeholder for the date of birth stays empty",
                     "The placeholder for the patient's date of birth in our letters is printed empty since "
                     "the update."),
                ]),
            ),
            node("Lab results import", team="lab", problems=[
                ("Lab results not imported since Monday",
                 "Results from our laboratory have not arrived in the patient files since Monday. The "
                 "laboratory says they sent them as usual."),
                ("Lab results assigned to a patient with the same name",
                 "A blood count was filed under another patient with the same first and last name but a "
                 "different date of birth."),
            ]),
            node("Medical history", problems=[
                ("Allergy warning not shown when prescribing",
                 "The patient has a documented penicillin allergy, but no warning appeared when the doctor "
                 "prescribed amoxicillin."),
                ("Diagnoses list sorted in the wrong order",
                 "The list of permanent diagnoses is no longer sorted by date; the oldest entries come first."),
            ]),
        ),
        node(
            "Installation and updates",
            node("Server", problems=[
                ("Server service does not start after the Windows update",
                 "After last night's Windows update the practice server service stops right after "
                 "starting. No workstation can open the program."),
                ("Nightly database backup fails",
                 "The backup report says 'backup failed: not enough disk space' every night, but the "
                 "backup disk has 800 GB free."),
            ]),
            node("Workstations", problems=[
                ("Workstation cannot connect to the server after the update",
                 "Only the reception PC shows 'server not reachable' since the update; the other "
                 "workstations work normally."),
                ("Program very slow on one workstation",
                 "Opening a patient file takes about 30 seconds on this PC and 2 seconds on the others."),
            ]),
            node("Updates", problems=[
                ("Update stops at 87 %",
                 "The update starts, stops at 87 % with no message, and after a restart the old version "
                 "is still installed."),
                ("Update announced but not offered",
                 "The newsletter announced the new version, but 'Check for updates' says that we are up "
                 "to date."),
            ]),
            fields=[
                PROGRAM_VERSION,
                FieldSpec("all_workstations", "Happens on all workstations", Kind.CHECKBOX),
            ],
        ),
        node("Imaging viewer", team="dental", problems=[
            ("X-ray images open only in low resolution",
             "X-ray images from the radiologist open blurred in the viewer; zooming in does not help."),
        ]),
        team="practice",
        fields=[WORKSTATION],
    ),
    node(
        "Dental",
        node(
            "Charting",
            node("Dental chart", problems=[
                ("Tooth numbers shifted in the dental chart",
                 "Since the update the findings entered for tooth 36 are shown at tooth 37 in the chart."),
                ("Bridge across teeth 24 to 26 cannot be recorded",
                 "Recording a bridge from 24 to 26 ends with 'invalid combination of findings'."),
            ]),
            node("Periodontal status", problems=[
                ("Pocket depths not saved in the periodontal chart",
                 "We enter all six measuring points per tooth, save, and when we open the chart again "
                 "the values of the lower jaw are missing."),
            ]),
        ),
        node(
            "Treatment plans",
            node(
                "Cost estimates",
                node("Insurance approval", problems=[
                    ("Cost estimate not transmitted to the health insurer",
                     "The electronic cost estimate for a crown stays in 'ready to send' and never reaches "
                     "the insurer."),
                    ("Approved plan still shows 'pending'",
                     "The insurer approved the treatment plan a week ago, but in the program it is still "
                     "'pending' and we cannot bill it."),
                ]),
                problems=[
                    ("Patient share calculated wrongly on the cost estimate",
                     "The patient share on the printed cost estimate is 40 euro higher than the sum of the "
                     "positions."),
                ],
            ),
            fields=[
                FieldSpec("plan_number", "Treatment plan number", Kind.TEXT,
                          samples=("HKP-2025-0113", "HKP-2025-0290", "HKP-2024-1187")),
            ],
        ),
        node(
            "Imaging",
            node(
                "X-ray bridge",
                node("Sensor not detected", problems=[
                    ("Intraoral sensor not detected in room 2",
                     "The intraoral sensor in room 2 is not detected when we start an exposure. The same "
                     "sensor works in room 1."),
                    ("X-ray bridge freezes after the exposure",
                     "After taking the image, the bridge window freezes and the image never arrives in the "
                     "patient file."),
                ]),
                node("Image transfer", problems=[
                    ("Panoramic images arrive without the patient name",
                     "Panoramic images from the OPG arrive in the inbox without patient name and must be "
                     "assigned by hand."),
                ]),
            ),
            node("Intraoral camera", problems=[
                ("Intraoral camera image is green",
                 "The live image of the intraoral camera has a strong green tint since we changed the USB "
                 "port."),
            ]),
            fields=[
                FieldSpec("device_model", "Sensor or device model", Kind.CHOICE, required=True,
                          choices=("Schick 33", "Sirona Xios XG", "Carestream RVG 6200", "Planmeca ProSensor",
                                   "Other")),
                FieldSpec("serial_number", "Serial number", Kind.TEXT,
                          help_text="On the label of the device.",
                          samples=("SN 4471-2210", "XG-0093381", "RVG62-118204", "PS-55012")),
            ],
        ),
        node("Dental billing", problems=[
            ("Billing codes for fillings missing after the update",
             "Since the update the billing codes for composite fillings are missing from the selection list."),
            ("Quarterly totals differ from the statistics",
             "The quarterly dental billing shows 1,200 euro less than the revenue statistics for the "
             "same quarter."),
        ]),
        team="dental",
    ),
    node(
        "Laboratory",
        node(
            "Orders",
            node("Order entry", problems=[
                ("Order entry form does not open for new patients",
                 "For patients created today the order entry form shows an empty window and closes again."),
                ("Ordered tests are duplicated",
                 "Every test we order appears twice on the order sheet and in the laboratory's worklist."),
            ]),
            node("Barcode labels", problems=[
                ("Label printer prints empty labels",
                 "The label printer feeds labels but prints nothing. The test page from Windows prints fine."),
                ("Barcode cannot be read by the analyzer",
                 "The analyzer reports 'barcode unreadable' for all tubes labelled since yesterday."),
            ]),
            fields=[
                FieldSpec("order_date", "Order date", Kind.DATE, required=True),
                FieldSpec("urgent_sample", "Urgent sample", Kind.CHECKBOX,
                          help_text="Tick if a patient sample is waiting."),
            ],
        ),
        node(
            "Results",
            node("Result import (HL7)", problems=[
                ("HL7 results stuck in the inbound queue",
                 "About 200 result messages are waiting in the inbound queue and the counter does not go "
                 "down."),
                ("Special characters broken in imported results",
                 "Comments in imported results show 'Ã¼' instead of 'ü' and 'Ã¨' instead of 'è'."),
            ]),
            node("Reference ranges", problems=[
                ("Wrong reference range for children",
                 "Results of children are flagged against the adult reference range for creatinine."),
            ]),
        ),
        node(
            "Analyzer connection",
            node("Serial interface", problems=[
                ("Analyzer connection drops every few hours",
                 "The connection to the analyzer drops every two or three hours and results stay on the "
                 "device until we restart the interface."),
            ]),
            node("Worklists", problems=[
                ("Worklist not sent to the analyzer",
                 "The worklist is created but the analyzer never receives it; we have to type the orders "
                 "on the device."),
            ]),
            fields=[
                FieldSpec("analyzer", "Analyzer", Kind.CHOICE, required=True,
                          choices=("Sysmex XN-1000", "Roche cobas c 311", "Abbott Architect", "Other")),
                FieldSpec("affected_samples", "Number of affected samples", Kind.NUMBER,
                          samples=("3", "12", "40", "150")),
            ],
        ),
        team="lab",
    ),
    node(
        "Clinic",
        node(
            "Ward management",
            node("Bed planning", problems=[
                ("Bed occupancy board does not refresh",
                 "The bed board on the ward shows the state of this morning; admissions and discharges "
                 "since then are missing."),
                ("Discharged patients still shown on the ward",
                 "Patients discharged yesterday are still listed on the ward and block their beds."),
            ]),
            node("Admissions", problems=[
                ("Admission form crashes when the insurance card is read",
                 "Reading the insurance card in the admission form closes the program without a message."),
            ]),
            fields=[
                FieldSpec("ward", "Ward", Kind.CHOICE,
                          choices=("Internal medicine", "Surgery", "Paediatrics", "Geriatrics")),
                FieldSpec("beds_affected", "Number of affected beds", Kind.NUMBER, samples=("1", "4", "12", "30")),
            ],
        ),
        node(
            "Medication",
            node("Medication plan", problems=[
                ("Medication plan printout cuts off the last line",
                 "When a patient has more than ten medications, the last line of the plan is missing on "
                 "the printout."),
                ("Dosage schedule shows the wrong times",
                 "The dosage schedule shows 9:00 instead of 8:00 for morning doses since the change to "
                 "daylight saving time."),
            ]),
            node("Drug database", problems=[
                ("Monthly drug database update failed",
                 "The monthly drug database update ends with 'download incomplete'; the database is now "
                 "two months old."),
            ]),
        ),
        node(
            "Interfaces (HL7/FHIR)",
            node("ADT messages", problems=[
                ("ADT messages to the laboratory system are delayed",
                 "Admissions reach the laboratory system only after about 40 minutes, so urgent orders "
                 "cannot be placed."),
            ]),
            node("FHIR API", problems=[
                ("FHIR endpoint returns error 500 for patient search",
                 "Searching patients by family name through the FHIR API returns HTTP 500; searching by "
                 "identifier works."),
            ]),
            team="lab",
        ),
        node("Radiology (PACS)", team="dental", problems=[
            ("PACS images cannot be opened from the patient record",
             "The 'Images' button in the patient record opens the PACS viewer with 'study not found'."),
        ]),
        team="practice",
    ),
)


# --- The words of a conversation ---------------------------------------------

DESCRIPTION_ADDITIONS = (
    "We already restarted the PC, without success.",
    "It happens on every workstation.",
    "It only happens on the reception PC.",
    "Patients are waiting, please call us back as soon as possible.",
    "A colleague noticed it first on Friday.",
    "No error message is shown.",
    "We attached a screenshot to our e-mail to the hotline.",
    "It worked until the last update.",
    "",
    "",
)

CUSTOMER_FOLLOW_UPS = (
    "It just happened again, at 10:15 on the second PC as well.",
    "Additional information: the problem only occurs with patients created this year.",
    "We can be reached by phone until 13:00 today.",
    "Please note that our practice is closed on Wednesday afternoon.",
    "My colleague says it already happened last week once.",
)

AGENT_ACKNOWLEDGEMENTS = (
    "Thank you for your report. We are analysing the problem and will get back to you shortly.",
    "We have reproduced the behaviour on our test system and are looking for the cause.",
    "Thank you, we are checking the log files from your server now.",
)

AGENT_INFO_REQUESTS = (
    "Thank you for your message. Could you please send us a screenshot of the error message and tell us "
    "the exact program version (Help › About)?",
    "To analyse the problem we need the log file. Please open Help › Support › Export log and reply with "
    "the file attached.",
    "Does the problem happen for all patients or only for some? If only for some, please give us one "
    "example patient number.",
    "Please tell us when we can connect via remote support for about 20 minutes.",
)

CUSTOMER_ANSWERS = (
    "Here is the screenshot. The version is 24.3.2.",
    "It happens for all patients. The log file is attached.",
    "Only for patient number 10482, the others work.",
    "You can connect tomorrow between 12:30 and 14:00.",
    "We checked again: it happens on all three workstations.",
)

CUSTOMER_THANKS = (
    "Thank you, it works again.",
    "Perfect, thanks for the quick help!",
    "Confirmed, the problem is solved.",
    "Thanks, we tested it this morning and everything is fine.",
)

CUSTOMER_REJECTIONS = (
    "Unfortunately the problem is still there after the update.",
    "It worked for one day, but today it happened again.",
)

CUSTOMER_CLOSE_MESSAGES = (
    "The problem solved itself after restarting the server, you can close the ticket.",
    "We found the cause ourselves: the cable was loose. Sorry for the trouble.",
    "Please close this ticket, we opened it twice by mistake.",
    "",
)

AGENT_HOLD_MESSAGES = (
    "We are waiting for feedback from the device manufacturer and will get back to you.",
    "Our development team is analysing the problem; we put the ticket on hold until we hear from them.",
)

AGENT_RELEASE_MESSAGES = (
    "This is a known error that will be fixed in the next version, planned for next month. We will "
    "inform you when the update is available.",
    "The correction is part of version 25.2. Until then, please use the workaround described in the "
    "knowledge base.",
)

AGENT_APPOINTMENT_MESSAGES = (
    "We have scheduled a remote session for Thursday at 10:00. Please leave the server switched on.",
    "Our technician will visit your practice on Monday morning to check the installation.",
)

AGENT_REDIRECT_MESSAGES = (
    "The problem lies in the insurer's portal. We forwarded your request to their technical hotline.",
    "We handed your request to the manufacturer of the device, who will contact you directly.",
)

INTERNAL_NOTES = (
    "Known issue, see bug 4711; fix planned for 25.2.",
    "Customer runs an outdated database server. Recommend the upgrade at the next visit.",
    "Checked remotely: interface service was stopped by the antivirus software.",
    "Second ticket about this from this customer this month. Keep an eye on it.",
    "Asked development for a hotfix.",
)

ERROR_NOTES = (
    "Duplicate of an earlier ticket from the same customer; closed as error.",
    "Ticket was opened for the wrong product and contains no usable information.",
    "Test ticket created by the practice during training.",
)

# Names for the people of the bulk organizations, by the country's language.
FIRST_NAMES = {
    "it": ("Alessandro", "Giulia", "Marco", "Francesca", "Luca", "Chiara", "Matteo", "Sara", "Davide", "Elena"),
    "de": ("Thomas", "Sabine", "Michael", "Julia", "Andreas", "Katrin", "Stefan", "Anna", "Jan", "Lena"),
}
LAST_NAMES = {
    "it": ("Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "Esposito"),
    "de": ("Müller", "Schmidt", "Fischer", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch", "Richter"),
}

# Cities the bulk organizations are spread over: (postal code, city, country, language).
CITIES = (
    ("6020", "Innsbruck", "AT", "de"),  # first: the large hospital group's seat
    ("20121", "Milano", "IT", "it"), ("10121", "Torino", "IT", "it"), ("40121", "Bologna", "IT", "it"),
    ("37121", "Verona", "IT", "it"), ("24121", "Bergamo", "IT", "it"), ("35121", "Padova", "IT", "it"),
    ("38121", "Trento", "IT", "it"), ("39100", "Bolzano", "IT", "de"),
    ("80331", "München", "DE", "de"), ("86150", "Augsburg", "DE", "de"), ("70173", "Stuttgart", "DE", "de"),
    ("90402", "Nürnberg", "DE", "de"), ("93047", "Regensburg", "DE", "de"), ("79098", "Freiburg", "DE", "de"),
    ("5020", "Salzburg", "AT", "de"), ("8001", "Zürich", "CH", "de"),
    ("6900", "Lugano", "CH", "it"),
)

ORGANIZATION_NAME_PATTERNS = {
    "it": ("Studio Medico {last}", "Studio Dentistico {last}", "Poliambulatorio {city}", "Laboratorio Analisi {city}",
           "Centro Medico {last}"),
    "de": ("Praxis Dr. {last}", "Zahnarztpraxis {last}", "MVZ {city}", "Labor {last} {city}",
           "Hausarztpraxis {last}"),
}

LARGE_ORGANIZATION_NAME = "Klinikverbund Alpenland"


def walk(specs=CATEGORY_TREE, parents=()):
    """Yield (path of names, spec) for every node, parents before children."""
    for spec in specs:
        path = (*parents, spec.name)
        yield path, spec
        yield from walk(spec.children, path)
