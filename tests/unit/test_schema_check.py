"""bigmed.base.schemas.check: the first schema error as one InputError line."""

from __future__ import annotations

import pytest
from bigmed.base.errors import InputError
from bigmed.base.schemas import check, field_path

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"n": {"type": "integer"}}},
        },
        "zz": {"type": "string"},
    },
}


@pytest.mark.parametrize(
    ("doc", "brackets", "expected"),
    [
        ({}, False, "f.yaml: missing required key: 'items' is a required property"),
        (
            {"items": [], "itmes": 1},
            False,
            "f.yaml: Additional properties are not allowed ('itmes' was unexpected) "
            "(check the spelling of the key)",
        ),
        (
            {"items": [{"n": 1}, {"n": "x"}]},
            False,
            "f.yaml: field 'items.1.n': 'x' is not of type 'integer'",
        ),
        (
            {"items": [{"n": 1}, {"n": "x"}]},
            True,
            "f.yaml: field 'items[1].n': 'x' is not of type 'integer' (format X expected)",
        ),
        # the first error in path order, whatever order the validator finds them in
        (
            {"zz": 3, "items": [{"n": "x"}]},
            False,
            "f.yaml: field 'items.0.n': 'x' is not of type 'integer'",
        ),
    ],
)
def test_first_error_is_one_line(doc, brackets, expected):
    with pytest.raises(InputError) as err:
        check("f.yaml", SCHEMA, doc, "format X" if brackets else "", brackets=brackets)
    assert str(err.value) == expected


def test_a_valid_document_passes():
    check("f.yaml", SCHEMA, {"items": [{"n": 1}], "zz": "a"})


def test_field_path():
    assert field_path(["a", 0, "b"]) == "a.0.b"
    assert field_path(["a", 0, "b"], brackets=True) == "a[0].b"
    assert field_path([]) == ""
