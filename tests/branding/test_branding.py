"""The vendor's brand: edited in the admin, checked at the field, cached, shown on every page and in e-mail."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tessera.branding.colors import contrast_ratio, darken
from tessera.branding.models import Branding
from tessera.branding.selectors import current_branding
from tessera.tickets.services import ticket_create
from tests.html import parse

from .conftest import SVG, png_bytes

pytestmark = pytest.mark.django_db

ADD = reverse("admin:branding_branding_add")
CHANGE = reverse("admin:branding_branding_change", args=[Branding.SINGLETON_PK])


def admin_data(**changes) -> dict:
    data = {
        "product_name": "Medica Support", "tagline": "Synchronizing Healthcare", "primary_color": "#0b4f8a",
        "support_phone": "+1 800 555 0100", "support_email": "help@medica.example", "support_hours": "Mon–Fri 8–18",
    }
    return {**data, **changes}


def field_errors(response, name: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(name, []))


# --- the colour ---------------------------------------------------------------------------------------------------

def test_the_contrast_ratio_is_wcag_s():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#0b4f8a", "#ffffff"), 2) >= 4.5
    assert contrast_ratio("#ffff00", "#ffffff") < 1.1


def test_the_hover_shade_is_darker():
    assert darken("#0b4f8a") == "#094171"
    assert contrast_ratio(darken("#0b4f8a"), "#ffffff") > contrast_ratio("#0b4f8a", "#ffffff")


def test_a_colour_white_text_cannot_be_read_on_is_refused_at_the_field_with_its_ratio(client, vendor_admin):
    client.force_login(vendor_admin)
    response = client.post(ADD, admin_data(primary_color="#ffff00"))
    assert response.status_code == 200
    [error] = field_errors(response, "primary_color")
    assert "1.07:1" in error and "4.5:1" in error
    assert not Branding.objects.exists()
    assert 'value="#ffff00"' in response.content.decode()  # what was typed is kept


@pytest.mark.parametrize("typed", ["0b4f8a", "#0b4f8", "#0b4f8g", "blue"])
def test_a_colour_that_is_not_rrggbb_is_refused_at_the_field(client, vendor_admin, typed):
    client.force_login(vendor_admin)
    response = client.post(ADD, admin_data(primary_color=typed))
    assert field_errors(response, "primary_color")
    assert not Branding.objects.exists()


def test_a_readable_colour_is_saved_and_reaches_the_stylesheet(client, vendor_admin):
    client.force_login(vendor_admin)
    response = client.post(ADD, admin_data(primary_color="#0B4F8A"))
    assert response.status_code == 302
    assert Branding.objects.get().primary_color == "#0b4f8a"
    css = client.get(reverse("branding:css"))
    assert css["Content-Type"].startswith("text/css")
    assert css.content.decode().strip() == (
        ":root{--color-primary:#0b4f8a;--color-primary-hover:#094171;--color-primary-soft:#e7edf3}"
    )


# --- the singleton in the admin -----------------------------------------------------------------------------------

def test_the_admin_list_opens_the_one_row(client, vendor_admin):
    client.force_login(vendor_admin)
    changelist = reverse("admin:branding_branding_changelist")
    assert client.get(changelist)["Location"] == ADD
    Branding(product_name="Medica").save()
    assert client.get(changelist)["Location"] == CHANGE
    assert client.get(ADD).status_code == 403  # no second row
    assert client.post(reverse("admin:branding_branding_delete", args=[1]), {"post": "yes"}).status_code == 403
    assert Branding.objects.count() == 1


def test_saving_in_the_admin_clears_the_cache(client, vendor_admin):
    Branding(product_name="Old Name").save()
    assert current_branding().product_name == "Old Name"  # cached now
    client.get(reverse("accounts:login"))
    client.force_login(vendor_admin)
    response = client.post(CHANGE, admin_data(product_name="New Name"))
    assert response.status_code == 302
    client.logout()
    page = parse(client.get(reverse("accounts:login")))
    assert page.find("title").text.endswith("· New Name")
    assert page.find(testid="site-footer").find("p").text == "New Name"


def test_without_a_saved_brand_pages_show_tessera(client):
    page = parse(client.get(reverse("accounts:login")))
    assert page.find("title").text.endswith("· Tessera")
    assert not page.exists(testid="support-contact")


# --- pages and e-mail show the support contact --------------------------------------------------------------------

def test_the_footer_shows_the_support_contact(client, customer):
    Branding(**admin_data()).save()
    client.force_login(customer)
    contact = parse(client.get(reverse("portal:home"))).find(testid="support-contact").text
    assert "+1 800 555 0100" in contact and "help@medica.example" in contact and "Mon–Fri 8–18" in contact


def test_an_e_mail_shows_the_product_name_and_the_support_contact(client, customer, deliver, mailoutbox):
    Branding(**admin_data()).save()
    with deliver():
        client.post(reverse("accounts:password_reset"), {"email": customer.email})
    [message] = mailoutbox
    html = message.alternatives[0][0]
    assert "Medica Support" in html
    assert "+1 800 555 0100" in html and "help@medica.example" in html and "Mon–Fri 8–18" in html


def test_a_ticket_e_mail_s_text_ends_with_the_support_contact(customer, category, deliver, mailoutbox):
    Branding(**admin_data()).save()
    with deliver():
        ticket_create(author=customer, title="Printer", category=category, description="It jams.")
    [message] = [m for m in mailoutbox if customer.email in m.to]
    assert message.body.rstrip().endswith("Phone: +1 800 555 0100\nE-mail: help@medica.example\nHours: Mon–Fri 8–18")


# --- the logo and the favicon -------------------------------------------------------------------------------------

def test_an_svg_logo_is_refused_at_the_field(client, vendor_admin):
    client.force_login(vendor_admin)
    upload = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")
    response = client.post(ADD, {**admin_data(), "logo": upload})
    assert "PNG" in field_errors(response, "logo")[0]
    assert not Branding.objects.exists()


def test_a_renamed_non_image_is_refused_at_the_field(client, vendor_admin):
    client.force_login(vendor_admin)
    upload = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = client.post(ADD, {**admin_data(), "logo": upload})
    assert field_errors(response, "logo")
    assert not Branding.objects.exists()


def test_a_too_large_logo_is_refused_at_the_field(client, vendor_admin):
    client.force_login(vendor_admin)
    upload = SimpleUploadedFile("logo.png", png_bytes() + b"\0" * (600 * 1024), content_type="image/png")
    response = client.post(ADD, {**admin_data(), "logo": upload})
    assert "512 KB" in field_errors(response, "logo")[0]


def test_the_logo_is_served_as_the_image_it_is_with_cache_headers(client, vendor_admin):
    client.force_login(vendor_admin)
    logo = png_bytes()
    response = client.post(ADD, {**admin_data(), "logo": SimpleUploadedFile("whatever.jpg", logo)})
    assert response.status_code == 302
    client.logout()
    branding = current_branding()
    page = parse(client.get(reverse("accounts:login")))
    src = page.find("img", class_="brand-logo").get("src")
    assert src == f"{reverse('branding:logo')}?v={branding.version}"

    served = client.get(src)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in served["Cache-Control"]
    assert b"".join(served.streaming_content) == logo
    assert client.get(reverse("branding:logo"))["Cache-Control"] == "public, max-age=60"  # unversioned: short
    assert client.get(src, HTTP_IF_NONE_MATCH=served["ETag"]).status_code == 304


def test_the_logo_view_serves_only_the_logo_and_only_as_an_image(client):
    branding = Branding(product_name="Medica")
    branding.logo.save("logo", ContentFile(png_bytes()), save=False)
    branding.save()
    # No parameter picks another file.
    served = client.get(reverse("branding:logo"), {"name": "../../tessera/settings.py", "path": "/etc/passwd"})
    assert b"".join(served.streaming_content) == png_bytes()
    # A file swapped behind the admin's back in the storage is not served as a page.
    with branding.logo.storage.open(branding.logo.name, "wb") as handle:
        handle.write(b"<html><script>alert(1)</script></html>")
    assert client.get(reverse("branding:logo")).status_code == 404


def test_the_favicon_is_linked_and_served(client):
    branding = Branding(product_name="Medica")
    branding.favicon.save("icon", ContentFile(png_bytes()), save=False)
    branding.save()
    page = parse(client.get(reverse("accounts:login")))
    icon = next(link for link in page.find_all("link") if link.get("rel") == "icon")
    served = client.get(icon.get("href"))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_no_logo_or_favicon_is_a_404_and_the_page_shows_the_product_name(client):
    assert client.get(reverse("branding:logo")).status_code == 404
    assert client.get(reverse("branding:favicon")).status_code == 404
    page = parse(client.get(reverse("accounts:login")))
    assert page.find(class_="brand-name").text == "Tessera"


def test_the_stylesheet_answers_a_revalidation_with_304(client):
    first = client.get(reverse("branding:css"))
    assert client.get(reverse("branding:css"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Branding(primary_color="#14532d").save()
    changed = client.get(reverse("branding:css"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and b"#14532d" in changed.content
