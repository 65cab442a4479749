"""Registration at the provider, as seed 001's "Create a CGM Life ID": the e-mail is confirmed by a link.

This test provider sends no e-mail: the page after registering shows the confirmation link.
"""

import secrets

from django import forms
from django.contrib.auth.models import User
from django.http import Http404
from django.shortcuts import render

from .models import Profile


class SignupForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    given_name = forms.CharField(label="First name")
    family_name = forms.CharField(label="Last name")
    password = forms.CharField(label="Password", widget=forms.PasswordInput)


def signup(request):
    form = SignupForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        user = User.objects.create_user(
            username=data["email"], email=data["email"], password=data["password"],
            first_name=data["given_name"], last_name=data["family_name"],
        )
        token = secrets.token_urlsafe(16)
        Profile.objects.create(user=user, email_verified=False, confirm_token=token)
        return render(request, "idp/signup_done.html", {"link": request.build_absolute_uri(f"/confirm/{token}/")})
    return render(request, "idp/signup.html", {"form": form})


def confirm(request, token):
    profile = Profile.objects.filter(confirm_token=token).first()
    if profile is None:
        raise Http404
    profile.email_verified = True
    profile.confirm_token = ""
    profile.save()
    return render(request, "idp/confirmed.html")
