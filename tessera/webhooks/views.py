"""The vendor administrator's webhook pages: subscriptions, their secret, and the delivery log.

Only vendor administrators (superusers) find them; anyone else gets a 404, as
for the outbox, the audit log and the imports.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tessera.core.forms import apply_service_error

from . import services
from .forms import SubscriptionForm
from .models import WebhookDelivery, WebhookSubscription

DELIVERIES_PER_PAGE = 50
STATUS_BADGES: dict[str, str] = {
    WebhookDelivery.Status.PENDING: "badge-status-new",
    WebhookDelivery.Status.SUCCEEDED: "badge-status-solved",
    WebhookDelivery.Status.FAILED: "badge-priority-1",
}


def vendor_admin_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.may_manage_webhooks(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@vendor_admin_required
def subscription_list(request):
    subscriptions = WebhookSubscription.objects.annotate(
        failed=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
        pending=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING)),
    ).order_by("url", "pk")
    return render(request, "webhooks/list.html", {"subscriptions": subscriptions})


def _form_values(form: SubscriptionForm) -> dict:
    data = form.cleaned_data
    return {"url": data["url"].strip(), "description": data["description"], "event_types": data["event_types"],
            "include_internal": data["include_internal"]}


@vendor_admin_required
def subscription_create(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.subscription_create(created_by=request.user, **_form_values(form))
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The subscription is saved. Give its signing secret to the receiving system."))
            return redirect("webhooks:detail", pk=subscription.pk)
    return render(request, "webhooks/form.html", {"form": form, "subscription": None})


@vendor_admin_required
def subscription_edit(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    initial = {"url": subscription.url, "description": subscription.description,
               "event_types": subscription.event_types, "include_internal": subscription.include_internal}
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_update(subscription=subscription, changed_by=request.user, **_form_values(form))
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The subscription is saved."))
            return redirect("webhooks:detail", pk=subscription.pk)
    return render(request, "webhooks/form.html", {"form": form, "subscription": subscription})


@vendor_admin_required
def subscription_detail(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    deliveries = subscription.deliveries.defer("body").order_by("-pk")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    for delivery in page.object_list:
        setattr(delivery, "badge", STATUS_BADGES.get(delivery.status, ""))  # noqa: B010 (a template's attribute)
    return render(request, "webhooks/detail.html", {
        "subscription": subscription, "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
    })


@vendor_admin_required
@require_POST
def subscription_rotate(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    services.subscription_rotate_secret(subscription=subscription, rotated_by=request.user)
    messages.success(request, _("A new secret is in use. The previous one also signs for 24 hours."))
    return redirect("webhooks:detail", pk=subscription.pk)


@vendor_admin_required
@require_POST
def subscription_enable(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    services.subscription_enable(subscription=subscription, enabled_by=request.user)
    messages.success(request, _("The subscription is active again; waiting deliveries are sent now."))
    return redirect("webhooks:detail", pk=subscription.pk)


@vendor_admin_required
@require_POST
def subscription_disable(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    services.subscription_disable(subscription=subscription, disabled_by=request.user)
    messages.success(request, _("The subscription is disabled; nothing is sent until you enable it."))
    return redirect("webhooks:detail", pk=subscription.pk)


@vendor_admin_required
@require_POST
def subscription_delete(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    services.subscription_delete(subscription=subscription, deleted_by=request.user)
    messages.success(request, _("The subscription has been deleted."))
    return redirect("webhooks:list")


@vendor_admin_required
@require_POST
def delivery_redeliver(request, pk, delivery_pk):
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, subscription_id=pk)
    services.delivery_redeliver(delivery=delivery, redelivered_by=request.user)
    if delivery.subscription.is_active:
        messages.success(request, _("The message is queued to be delivered again."))
    else:
        messages.warning(request, _("The message is queued; it is sent once the subscription is enabled."))
    return redirect("webhooks:detail", pk=pk)
