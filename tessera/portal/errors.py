"""Where the portal turns service errors into what the user sees: messages next to the fields."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form, error: ValidationError, *, field_map: dict[str, str] | None = None) -> None:
    """Attach a service's ValidationError to ``form``, each message next to its field."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = field_map.get(key, key)
        if field not in form.fields:
            field = NON_FIELD_ERRORS
        for item in errors:
            form.add_error(None if field == NON_FIELD_ERRORS else field, item)
