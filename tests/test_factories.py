"""Every model of tessera/ has a factory in tests/factories.py that builds a valid, saved row."""

import pytest
from django.apps import apps
from factory.django import DjangoModelFactory

from tests import factories


def tessera_models():
    return sorted((model for model in apps.get_models() if model.__module__.startswith("tessera.")),
                  key=lambda model: model._meta.label)


def factories_by_model() -> dict:
    found: dict = {}
    for value in vars(factories).values():
        if isinstance(value, type) and issubclass(value, DjangoModelFactory) and value._meta.model is not None:
            found.setdefault(value._meta.model, value)  # the first one defined: the model's own, not a variant
    return found


@pytest.mark.parametrize("model", tessera_models(), ids=lambda model: model._meta.label)
def test_every_model_has_a_factory_that_builds_a_valid_saved_row(db, model):
    factory_class = factories_by_model().get(model)
    assert factory_class is not None, f"add a factory for {model._meta.label} to tests/factories.py"

    instance = factory_class()

    assert instance.pk is not None and model.objects.filter(pk=instance.pk).exists()
    instance.full_clean()
