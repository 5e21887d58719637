import pytest

from tests.factories.accounts import organisation_actors


@pytest.fixture
def actors(db) -> dict:
    return organisation_actors()
