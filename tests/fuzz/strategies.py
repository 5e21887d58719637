"""Hypothesis strategies for hostile form and query data."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from tests.fuzz.crawl import Field, Form

# Values that have broken web forms before: empty and blank, NUL bytes (PostgreSQL refuses them in
# text), numbers past every column's range, locale-formatted and non-ASCII digits, impossible dates,
# markup and template syntax, path tricks, right-to-left override, huge text.
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "-0",
    "-999999999999",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "0.000000001",
    "1,5",
    "1.000.000,00",
    "1 000 000",
    "١٢٣",
    "१२३",
    "2026-02-30",
    "0000-00-00",
    "0001-01-01 00:00",
    "9999-12-31 23:59",
    "9999-12-31T23:59:59",
    "2026-13-01T25:61",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    "%00",
    "../../../etc/passwd",
    "{{ 7|add:7 }}{% debug %}",
    "\u202egnp.exe",
    "😀" * 50,
    "x" * 5000,
    "\r\n\r\n",
    "null",
    "[]",
    "@",
    "a@b",
    "http://",
    "https://example.org/" + "a" * 3000,
]

# Text without lone surrogates: those cannot be encoded in a request at all.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    _TEXT,
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def _value(field: Field):
    """A strategy for one field's value: mostly plausible for its kind, often hostile."""
    if field.kind in {"select", "radio"} and field.options:
        return st.one_of(st.sampled_from(field.options), hostile_text)
    if field.kind == "hidden":
        return st.one_of(st.just(field.value), hostile_text)
    if field.kind == "checkbox":
        return st.one_of(st.just(field.value or "on"), st.just(None), hostile_text)
    return hostile_text


def _upload():
    return st.builds(
        lambda name, content: SimpleUploadedFile(name, content),
        st.sampled_from(["a.pdf", "a.png", "../../x.pdf", "x" * 300 + ".pdf", "a.exe", "noext", "a.PDF"]),
        st.one_of(
            st.binary(max_size=256),
            st.sampled_from([b"%PDF-1.7\n%\xe2\xe3\n", b"MZ\x90\x00", b"\x89PNG\r\n\x1a\n", b"<html>"]),
        ),
    )


@st.composite
def form_data(draw, form: Form) -> dict:
    """A POST body for one crawled form: every field (grouped by name, as the browser sends them), each
    either left out, given a value for its kind, given a hostile value, or repeated."""
    data: dict[str, object] = {}
    groups: dict[str, list[Field]] = {}
    for field in form.fields:
        if field.name != "csrfmiddlewaretoken":
            groups.setdefault(field.name, []).append(field)
    for name, fields in groups.items():
        first = fields[0]
        if first.kind == "file":
            if draw(st.booleans()):
                data[name] = draw(_upload())
            continue
        if len(fields) > 1 or first.kind == "select-multiple":
            options = [f.value for f in fields] if len(fields) > 1 else first.options
            # A list with nothing to choose from yet (a survey's first question has no earlier answers to
            # depend on) gets hostile values only.
            value = st.one_of(st.sampled_from(options), hostile_text) if options else hostile_text
            chosen = draw(st.lists(value, max_size=4))
            if chosen:
                data[name] = chosen
            continue
        choice = draw(st.integers(min_value=0, max_value=9))
        if choice == 0:
            continue  # left out
        if choice == 1:
            data[name] = draw(st.lists(_value(first), min_size=2, max_size=3))  # a repeated key
            continue
        value = draw(_value(first))
        if value is not None:
            data[name] = value
    if form.buttons:
        button_name, button_value = draw(st.sampled_from(form.buttons))
        data.setdefault(button_name, button_value)
    return data


@st.composite
def query_params(draw, names: list[str]) -> dict:
    """A query string over the page's own parameters and the usual list ones, each random, hostile, huge,
    negative, or repeated."""
    candidates = sorted({*names, "q", "page", "sort", "order", "ids", "id", "status", "format"})
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=5, unique=True))
    params: dict[str, object] = {}
    for name in chosen:
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            params[name] = draw(st.lists(hostile_text, min_size=2, max_size=3))
        else:
            params[name] = draw(hostile_text)
    return params
