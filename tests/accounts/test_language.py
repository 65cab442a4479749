from django.urls import reverse


def test_language_switch_saves_the_users_choice_and_translates(client, customer):
    client.force_login(customer)
    response = client.post(reverse("accounts:language"), {"language": "it", "next": "/"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.language == "it"
    page = client.get("/").content.decode()
    assert 'lang="it"' in page
    assert "Segnala un problema" in page


def test_saved_language_applies_at_next_login(client, customer):
    customer.language = "de"
    customer.save()
    client.force_login(customer)
    assert 'lang="de"' in client.get("/").content.decode()


def test_unknown_language_and_foreign_redirect_are_ignored(client, customer):
    client.force_login(customer)
    response = client.post(reverse("accounts:language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    customer.refresh_from_db()
    assert customer.language == "en"


def test_anonymous_language_switch_translates_login_page(client, db):
    client.post(reverse("accounts:language"), {"language": "de", "next": "/accounts/login/"})
    assert 'lang="de"' in client.get(reverse("accounts:login")).content.decode()
