"""The terms of use and the privacy policy a user accepts at registration; the vendor edits them in the admin."""

from django.shortcuts import render

from ..models import LegalDocument
from ..selectors import legal_text


def _legal_page(request, kind):
    return render(request, "accounts/legal.html", {"document": legal_text(kind, request.LANGUAGE_CODE)})


def terms(request):
    return _legal_page(request, LegalDocument.Kind.TERMS)


def privacy(request):
    return _legal_page(request, LegalDocument.Kind.PRIVACY)
