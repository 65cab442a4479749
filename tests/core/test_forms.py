"""apply_service_error: a service's refusal shown in the form that asked, next to its field where it has one."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from tessera.core.errors import ApplicationError
from tessera.core.forms import apply_service_error


class NumberForm(forms.Form):
    number = forms.CharField()


def bound_form() -> NumberForm:
    form = NumberForm({"number": "42"})
    assert form.is_valid()
    return form


def test_a_validation_error_about_a_field_goes_next_to_it():
    form = bound_form()
    apply_service_error(form, ValidationError({"number": ["No such ticket.", "Try again."]}))
    assert form.errors == {"number": ["No such ticket.", "Try again."]}
    assert form.data["number"] == "42"  # what was typed stays


def test_a_field_the_form_lacks_goes_above_the_form():
    form = bound_form()
    apply_service_error(form, ValidationError({"target": "Not this one.", NON_FIELD_ERRORS: "Nor this."}))
    assert form.non_field_errors() == ["Not this one.", "Nor this."]


def test_the_field_map_names_the_form_s_field():
    form = bound_form()
    apply_service_error(form, ValidationError({"target": "Not this one."}), field_map={"target": "number"})
    assert form.errors == {"number": ["Not this one."]}
    form = bound_form()
    apply_service_error(form, ApplicationError("Closed.", field="target"), field_map={"target": "number"})
    assert form.errors == {"number": ["Closed."]}


def test_messages_without_a_field_go_above_the_form():
    for error, message in [
        (ValidationError("Plain."), "Plain."),
        (ApplicationError("Refused."), "Refused."),
        (ApplicationError("Elsewhere.", field="nowhere"), "Elsewhere."),
        (PermissionDenied("Not yours."), "Not yours."),
    ]:
        form = bound_form()
        apply_service_error(form, error)
        assert form.non_field_errors() == [message]
