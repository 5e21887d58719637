"""Every model of ours has a factory that builds a valid row. Factories are found in tests/factories/, so a
new model without one fails here."""

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

OUR_APPS = {
    "accounts",
    "audit",
    "notifications",
    "challenges",
    "evaluation",
    "suppliers",
    "exchanges",
    "surveys",
    "casestudies",
    "ideas",
    "insight",
}


def _factory_modules():
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(factories.__path__):
        yield importlib.import_module(f"tests.factories.{info.name}")


def _factories() -> dict[type, type]:
    """The first (most general) factory found for each model."""
    found: dict[type, type] = {}
    for module in _factory_modules():
        for _name, candidate in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(candidate, factory.django.DjangoModelFactory)
                and candidate.__module__ == module.__name__
                and candidate._meta.model is not None
                and not candidate._meta.abstract
            ):
                model = candidate._meta.get_model_class()
                if model._meta.app_label not in OUR_APPS:
                    continue
                current = found.get(model)
                if current is None or issubclass(current, candidate):
                    found[model] = candidate
    return found


FACTORIES = _factories()


def test_every_model_has_a_factory():
    ours = {model for model in apps.get_models() if model._meta.app_label in OUR_APPS}
    assert sorted(model.__name__ for model in ours - set(FACTORIES)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class",
    [f for model, f in sorted(FACTORIES.items(), key=lambda item: item[0].__name__)],
    ids=lambda factory_class: factory_class.__name__,
)
def test_factory_builds_a_valid_row(factory_class):
    instance = factory_class()

    instance.full_clean(exclude=["password", "file", "logo"])
    assert type(instance)._default_manager.filter(pk=instance.pk).exists()
