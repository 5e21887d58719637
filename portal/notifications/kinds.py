"""The registry of notification kinds. Feature apps register theirs (in a kinds.py imported from their
AppConfig.ready), so this app knows no feature app."""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    # Mandatory kinds (invitations, security notices) are always mailed and have no unsubscribe link.
    mandatory: bool = False

    def __str__(self) -> str:
        return self.key

    @property
    def template_prefix(self) -> str:
        return f"notifications/mail/{self.key}"


_registry: dict[str, Kind] = {}


class UnknownKind(LookupError):
    pass


def register_kind(key: str, label: str | Promise, *, mandatory: bool = False) -> Kind:
    kind = Kind(key=key, label=label, mandatory=mandatory)
    existing = _registry.get(key)
    if existing is not None and existing != kind:
        raise ValueError(f"Notification kind {key!r} is registered twice with different definitions.")
    _registry[key] = kind
    return kind


def get_kind(key: "str | Kind") -> Kind:
    if isinstance(key, Kind):
        return key
    try:
        return _registry[key]
    except KeyError:
        raise UnknownKind(key) from None


def all_kinds() -> list[Kind]:
    return sorted(_registry.values(), key=lambda kind: kind.key)


def optional_kinds() -> list[Kind]:
    return [kind for kind in all_kinds() if not kind.mandatory]
