"""Assertions about rendered forms: an error shows next to its field and in the error summary, and what the
person typed is still there."""

import html
import re


def assert_field_error(response, field: str, message: str) -> None:
    """The message is shown under the field (crispy's invalid-feedback block, referenced by the input's
    aria-describedby) and, as a link to the field, in the error summary at the top of the form."""
    content = response.content.decode()
    escaped = html.escape(message)
    field_id = f"id_{field}"
    feedback = re.search(rf'<div id="{field_id}_error" class="invalid-feedback">(.*?)</div>', content, re.S)
    assert feedback is not None, f"no error block next to {field}"
    assert escaped in feedback.group(1)
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', content, re.S)
    assert summary is not None, "no error summary"
    link = re.search(rf'<a href="#{field_id}">(.*?)</a>', summary.group(0), re.S)
    assert link is not None, f"the summary does not link to {field}"
    assert escaped in summary.group(0)


def assert_non_field_error(response, message: str) -> None:
    content = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', content, re.S)
    assert summary is not None, "no error summary"
    assert html.escape(message) in summary.group(0)


def assert_input_value(response, field: str, value: str) -> None:
    """A text-like input still holds the typed value."""
    content = response.content.decode()
    tag = re.search(rf'<input[^>]*\bname="{field}"[^>]*>', content)
    assert tag is not None, f"no input named {field}"
    assert f'value="{html.escape(value)}"' in tag.group(0)


def assert_selected(response, field: str, value: str) -> None:
    content = response.content.decode()
    select = re.search(rf'<select[^>]*\bname="{field}"[^>]*>(.*?)</select>', content, re.S)
    assert select is not None, f"no select named {field}"
    assert re.search(rf'<option value="{re.escape(value)}"[^>]*\bselected', select.group(1)), (
        f"{value} is not selected in {field}"
    )
