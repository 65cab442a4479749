"""The vendor administrator's import pages: upload → the dry run's report, row by row → confirm.

Only vendor administrators (superusers) find them; anyone else gets a 404, as
for the outbox and the audit log.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import OrganizationsImportForm
from .models import ImportRun
from .report import ERROR, OUTCOME_LABELS, ImportFileError, report_csv

ROWS_PER_PAGE = 100
#: The badge each outcome wears (tessera.css): new in green, changed in blue, unchanged in grey, errors in red.
OUTCOME_BADGES = {"created": "badge-status-solved", "updated": "badge-status-new", "unchanged": "badge-status-closed",
                  ERROR: "badge-priority-1"}
RECENT_RUNS = 10


def vendor_admin_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff and request.user.is_superuser):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@vendor_admin_required
def organizations_import(request):
    posted = request.method == "POST"  # bound even when the upload handler dropped the only field
    form = OrganizationsImportForm(
        request.POST if posted else None, request.FILES if posted else None,
        oversized=getattr(request, "oversized_uploads", []),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.organizations_check(
                data=upload.read(), name=upload.name, invite=form.cleaned_data["invite"], user=request.user
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            return redirect("imports:run", pk=run.pk)
    runs = ImportRun.objects.only(
        "pk", "kind", "state", "original_name", "created_at", "committed_at", "summary"
    ).defer("rows")[:RECENT_RUNS]
    return render(request, "imports/organizations.html", {"form": form, "runs": runs})


@vendor_admin_required
def run_detail(request, pk):
    run = get_object_or_404(ImportRun, pk=pk)
    only_errors = request.GET.get("show") == "errors"
    rows = [row for row in run.rows if row["outcome"] == ERROR] if only_errors else run.rows
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    labels = {key: str(label) for key, label in OUTCOME_LABELS.items()}
    page.object_list = [{**row, "label": labels.get(row["outcome"], row["outcome"]),
                         "badge": OUTCOME_BADGES.get(row["outcome"], "")} for row in page.object_list]
    context = {"run": run, "page": page, "page_range": page.paginator.get_elided_page_range(page.number),
               "query": "show=errors" if only_errors else "", "only_errors": only_errors, "labels": labels,
               "may_commit": run.state == ImportRun.State.PREVIEWED and run.kind == ImportRun.Kind.ORGANIZATIONS
               and not run.file_error and bool(run.file)}
    return render(request, "imports/run.html", context)


@vendor_admin_required
@require_POST
def run_commit(request, pk):
    run = get_object_or_404(ImportRun, pk=pk, kind=ImportRun.Kind.ORGANIZATIONS)
    # One commit per dry run, however often the button is pressed: the first request takes the run.
    taken = ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.PREVIEWED).update(
        state=ImportRun.State.COMMITTED
    )
    if not taken:
        messages.info(request, _("This file has already been imported."))
        return redirect("imports:run", pk=run.pk)
    run = services.organizations_commit(run=run, user=request.user)
    summary = run.summary
    messages.success(request, _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged rows; "
                                "%(errors)d rows in error were skipped.")
                     % {"created": summary.get("created", 0), "updated": summary.get("updated", 0),
                        "unchanged": summary.get("unchanged", 0), "errors": summary.get("error", 0)})
    return redirect("imports:run", pk=run.pk)


@vendor_admin_required
def run_report(request, pk):
    run = get_object_or_404(ImportRun, pk=pk)
    response = HttpResponse(report_csv(run.rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-report.csv"'
    return response
