"""The survey engine's refusals."""


class SurveyError(Exception):
    """A change the rules do not allow; the message is meant for the person who tried. ``field`` names the
    form field it belongs to, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
