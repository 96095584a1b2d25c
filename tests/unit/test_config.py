"""Config validation and hashing."""

from __future__ import annotations

import copy

import pytest
import yaml
from bigmed.base.errors import InputError
from bigmed.intake.config import config_hash, validate_config
from conftest import ROOT


def demo_config() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_defaults_are_filled():
    cfg = {"samples": "s", "units": "u", "reference": {"fasta": "f", "annotation": "a"}}
    validate_config(cfg)
    # chosen by benchmarks/germline_accuracy: freebayes on realigned reads + bcftools long indels
    assert cfg["calling"]["germline_caller"] == "freebayes"
    assert cfg["calling"]["realign_indels"] is True
    assert cfg["calling"]["long_indel_caller"] == "bcftools"
    assert cfg["coverage"]["min_depth"] == 20
    assert cfg["reference"]["contig_map"] is None
    assert cfg["umask"] == "0027"


def test_demo_config_is_valid_and_hash_is_stable():
    a, b = validate_config(demo_config()), validate_config(demo_config())
    assert config_hash(a) == config_hash(b)
    c = copy.deepcopy(a)
    c["calling"]["min_qual"] = 30
    assert config_hash(c) != config_hash(a)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda c: c.pop("samples"), "missing required key: 'samples'"),
        (lambda c: c.update(sample="x"), "Additional properties are not allowed ('sample'"),
        (lambda c: c["calling"].update(scatter=0), "field 'calling.scatter'"),
        (lambda c: c["reference"].update(build="GRCh37"), "field 'reference.build'"),
        (lambda c: c.update(umask="777x"), "field 'umask'"),
    ],
)
def test_bad_config(change, message: str):
    cfg = demo_config()
    change(cfg)
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        validate_config(cfg)
