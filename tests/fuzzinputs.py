"""Generated bad input: mutate a valid batch's files and see how the workflow starts.

One valid batch (:func:`base_batch`: a rare-disease trio from FASTQ with a PED file and a
phenopacket, a cardiac index from FASTQ, a germline VCF patient and a tumor/normal
somatic VCF patient) is copied per case, one of its files is mutated (:data:`TARGETS`,
:func:`mutations`: truncation, wrong types, other encodings, CRLF, BOM, duplicated rows,
swapped columns, missing headers, huge values, flipped bytes; structured edits of the
YAML config and the phenopacket JSON), and the workflow is started as ``bigmed validate``
starts it (the config file read first, then the Snakefile's start-up checks, then the
dry run's DAG), in this process through Snakemake's API: a subprocess per case would
cost seconds, this costs a fraction of one. Each case ends in one of:

- ``ok``: a normal start (the mutation was harmless, e.g. CRLF line ends);
- ``error``: exactly one ``bigmed: error: FILE[: line N][: field F]: message`` line,
  FILE being one of the batch's files or ``config``, and nothing else on stderr but
  ``bigmed: warning:`` lines;
- ``traceback``: an exception escaped (what a user would see as a Python traceback);
- ``bad_error``: the run stopped without such a line, or with more than one, or with
  other output.

Used by tests/integration/test_bad_input_fuzz.py (a few hundred cases) and
benchmarks/bad_input_fuzz/run (a few thousand, counts by outcome).
"""

from __future__ import annotations

import contextlib
import copy
import gc
import gzip
import io
import json
import os
import re
import shutil
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from conftest import ROOT, make_batch
from hypothesis import strategies as st

DIALECTS = ROOT / "tests" / "integration" / "data" / "vcf_dialects"
HG001 = ROOT / "resources" / "demo" / "reads" / "HG001_R{}.fastq.gz"
PHENOPACKET = ROOT / "resources" / "demo" / "rare_disease" / "RD01.phenopacket.json"
READ_PAIRS = 60  # reads per FASTQ of the base batch: enough for every check, quick
CASE_TIMEOUT = 120  # seconds; a start that takes longer counts as a hang
# the file is everything up to the first ": " (a name may hold ':' itself, 'HP:1' as a path)
ERROR_LINE = re.compile(
    r"^bigmed: error: (?P<file>.+?)(: line \d+)?(: field '[^']*')?: \S"
)

SAMPLES = """\
patient	sample	role	sex	affected	pilot	phenotypes	tumor_type	purity	indication
RD1	RD1-P	proband	female	yes	rare_disease	HP:0001643;HP:0000303
RD1	RD1-M	mother	female	no	rare_disease
RD1	RD1-F	father	male	no	rare_disease
CD1	CD1-I	proband	male	yes	cardiac	HP:0001644			DCM
VG1	VG1-P	proband	female	unknown	rare_disease	HP:0003002
CV1	CV1-T	tumor	male	yes	crc		COADREAD	0.6
CV1	CV1-N	normal	male	no	crc
"""
PED = """\
# FID	IID	PAT	MAT	SEX	PHENOTYPE
RD1	RD1-P	RD1-F	RD1-M	2	2
RD1	RD1-M	0	0	2	1
RD1	RD1-F	0	0	1	1
"""
READ_SAMPLES = ("RD1-P", "RD1-M", "RD1-F", "CD1-I")


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok, error, traceback, bad_error
    detail: str  # the error line, or what went wrong


def _small_fastq(src: Path, dst: Path) -> None:
    with gzip.open(src, "rb") as handle:
        head = b"".join(next(handle) for _ in range(4 * READ_PAIRS))
    dst.write_bytes(gzip.compress(head, mtime=0))


def base_batch(workdir: Path) -> Path:
    """The valid batch every case starts from; returns its config path."""
    b = make_batch(workdir, patients=[])
    reads = workdir / "reads"
    reads.mkdir()
    units = ["sample\tunit\tfq1\tfq2"]
    for s in READ_SAMPLES:
        for mate in (1, 2):
            _small_fastq(Path(str(HG001).format(mate)), reads / f"{s}_R{mate}.fastq.gz")
        units.append(f"{s}\tL1\t{reads}/{s}_R1.fastq.gz\t{reads}/{s}_R2.fastq.gz")
    (workdir / "units.tsv").write_text("\n".join(units) + "\n")
    (workdir / "samples.tsv").write_text(SAMPLES)
    shutil.copy(DIALECTS / "deepvariant.vcf", workdir / "germline.vcf")
    shutil.copy(DIALECTS / "mutect2_paired.vcf.gz", workdir / "somatic.vcf.gz")
    (workdir / "calls.tsv").write_text(
        "patient\tkind\tvcf\tsample_map\n"
        f"VG1\tgermline\t{workdir}/germline.vcf\tNA12878=VG1-P\n"
        f"CV1\tsomatic\t{workdir}/somatic.vcf.gz\tTUMOR=CV1-T,NORMAL=CV1-N\n"
    )
    (workdir / "family.ped").write_text(PED)
    shutil.copy(PHENOPACKET, workdir / "RD1.phenopacket.json")
    b.edit(
        calls=str(workdir / "calls.tsv"),
        inputs__rename_contigs=True,
        rare_disease__pedigree=str(workdir / "family.ped"),
        rare_disease__phenopackets={"RD1": str(workdir / "RD1.phenopacket.json")},
        cardiac__targeted=[],
    )
    return b.config_path


# the files a case may mutate: name in the batch -> how it is read and written
TARGETS = {
    "samples.tsv": "text",
    "units.tsv": "text",
    "calls.tsv": "text",
    "family.ped": "text",
    "germline.vcf": "text",
    "somatic.vcf.gz": "gzip",
    "reads/RD1-P_R1.fastq.gz": "gzip",
    "config.yaml": "yaml",
    "RD1.phenopacket.json": "json",
}

HUGE = ("9" * 400, "1e308", "-1", "0", "1e-400", "NaN", "inf", "x" * 100_000)
CELLS = st.one_of(
    st.sampled_from(HUGE),
    st.sampled_from(("", " ", ";", "=", "HP:9999999", "chr1", "NA", "tumor", "yes", "'\"", "a b")),
    st.text(max_size=12),
)
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=16),
        st.sampled_from(HUGE),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=5,
)


@dataclass(frozen=True)
class Mutation:
    target: str
    op: str
    args: tuple[Any, ...]

    def __str__(self) -> str:
        shown = ", ".join(repr(a)[:40] for a in self.args)
        return f"{self.target}: {self.op}({shown})"


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _cell_edit(text: str, row: int, col: int, value: str) -> str:
    lines = _lines(text)
    i = row % len(lines)
    cells = lines[i].split("\t")
    cells[col % len(cells)] = value
    lines[i] = "\t".join(cells)
    return "\n".join(lines)


def _swap_columns(text: str, a: int, b: int) -> str:
    out = []
    for line in _lines(text):
        cells = line.split("\t")
        if len(cells) > 1:
            i, j = a % len(cells), b % len(cells)
            cells[i], cells[j] = cells[j], cells[i]
        out.append("\t".join(cells))
    return "\n".join(out)


def _line_op(text: str, i: int, op: str, extra: str = "") -> str:
    lines = _lines(text)
    k = i % len(lines)
    if op == "duplicate_row":
        lines.insert(k, lines[k])
    elif op == "delete_line":
        del lines[k]
    elif op == "insert_line":
        lines.insert(k, extra)
    elif op == "spaces_for_tabs":
        lines[k] = lines[k].replace("\t", extra or " ")
    return "\n".join(lines)


TEXT_OPS: dict[str, Callable[..., str]] = {
    "set_cell": _cell_edit,
    "swap_columns": _swap_columns,
    "duplicate_row": lambda t, i: _line_op(t, i, "duplicate_row"),
    "delete_line": lambda t, i: _line_op(t, i, "delete_line"),
    "missing_header": lambda t: (
        "\n".join(ln for ln in _lines(t) if not ln.startswith("#") or ln.startswith("##"))
        if "#CHROM" in t
        else "\n".join(_lines(t)[1:])
    ),
    "insert_line": lambda t, i, s: _line_op(t, i, "insert_line", s),
    "spaces_for_tabs": lambda t, i, s: _line_op(t, i, "spaces_for_tabs", s),
    "truncate_text": lambda t, f: t[: int(len(t) * f)],
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "huge_line": lambda t, i: _line_op(t, i, "insert_line", "\t".join(["x" * 50_000] * 4)),
    "empty": lambda t: "",
}
BYTE_OPS: dict[str, Callable[..., bytes]] = {
    "bom": lambda b: b"\xef\xbb\xbf" + b,
    "latin1": lambda b, f: b[: int(len(b) * f)] + "é".encode("latin-1") + b[int(len(b) * f) :],
    "utf16": lambda b: b.decode("utf-8", errors="replace").encode("utf-16"),
    "flip_byte": lambda b, f, x: (
        b[: int(len(b) * f)] + bytes([x]) + b[int(len(b) * f) + 1 :] if b else b
    ),
    "truncate_bytes": lambda b, f: b[: int(len(b) * f)],
}


@st.composite
def mutations(draw: st.DrawFn) -> Mutation:
    """One mutation of one of the batch's files."""
    target = draw(st.sampled_from(sorted(TARGETS)))
    kind = TARGETS[target]
    ops = [*TEXT_OPS, *BYTE_OPS] + (
        ["set_key", "delete_key", "add_key"] * 3 if kind in ("yaml", "json") else []
    )
    op = draw(st.sampled_from(ops))
    frac = draw(st.floats(min_value=0, max_value=1))
    index = draw(st.integers(min_value=0, max_value=400))
    args: tuple[Any, ...] = ()
    if op == "set_cell":
        args = (index, draw(st.integers(0, 12)), draw(CELLS))
    elif op == "swap_columns":
        args = (draw(st.integers(0, 12)), draw(st.integers(0, 12)))
    elif op in ("duplicate_row", "delete_line", "huge_line"):
        args = (index,)
    elif op in ("insert_line", "spaces_for_tabs"):
        args = (index, draw(CELLS))
    elif op in ("truncate_text", "latin1", "truncate_bytes"):
        args = (frac,)
    elif op == "flip_byte":
        args = (frac, draw(st.integers(0, 255)))
    elif op in ("set_key", "delete_key", "add_key"):
        args = (index, draw(JSON_VALUES), draw(st.text(min_size=1, max_size=8)))
    return Mutation(target, op, args)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path of a parsed YAML/JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _structured(doc: Any, op: str, index: int, value: Any, key: str) -> Any:
    doc = copy.deepcopy(doc)
    paths = list(_paths(doc))
    if not paths:
        return value
    path = paths[index % len(paths)]
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    if op == "set_key":
        parent[path[-1]] = value
    elif op == "delete_key":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[key] = value
    else:
        parent.append(value)
    return doc


def _read(path: Path, kind: str) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if kind == "gzip" else raw


def _write(path: Path, kind: str, data: bytes, raw: bool) -> None:
    path.write_bytes(gzip.compress(data, mtime=0) if kind == "gzip" and not raw else data)


def apply(m: Mutation, workdir: Path) -> None:
    """Mutate the case's copy of the target file in place."""
    path = workdir / m.target
    kind = TARGETS[m.target]
    if m.op in ("set_key", "delete_key", "add_key"):
        text = path.read_text()
        doc = yaml.safe_load(text) if kind == "yaml" else json.loads(text)
        doc = _structured(doc, m.op, *m.args)
        dumped = (
            yaml.safe_dump(doc, sort_keys=False)
            if kind == "yaml"
            else json.dumps(doc, indent=1, allow_nan=True)
        )
        path.write_text(dumped)
    elif m.op in BYTE_OPS:
        # byte damage to a gzip file hits the compressed stream itself half of the time
        raw = kind == "gzip" and m.op in ("truncate_bytes", "flip_byte")
        data = path.read_bytes() if raw else _read(path, kind)
        _write(path, kind, BYTE_OPS[m.op](data, *m.args), raw)
    else:
        text = _read(path, kind).decode("utf-8")
        _write(path, kind, TEXT_OPS[m.op](text, *m.args).encode("utf-8"), False)


def copy_batch(base: Path, workdir: Path) -> Path:
    """A fresh copy of the base batch whose config names the copy's files."""
    shutil.copytree(base.parent, workdir)
    config = workdir / "config.yaml"
    config.write_text(config.read_text().replace(str(base.parent), str(workdir)))
    for name in ("calls.tsv", "units.tsv"):
        p = workdir / name
        p.write_text(p.read_text().replace(str(base.parent), str(workdir)))
    return config


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


@dataclass(frozen=True)
class Stop:
    """How a start ended: ``none`` (it ran), ``exit`` (SystemExit, with its code),
    ``timeout``, or ``exception`` (with the exception's last line)."""

    how: str
    code: object = None
    text: str = ""


def start(workdir: Path, config: Path) -> tuple[str, str, Stop]:
    """Start the workflow as a dry run in this process; (stdout, stderr, how it ended).
    No exception object is kept: it would keep the workflow (and its temporary folders)
    alive past the case."""
    from bigmed.base.errors import InputError
    from bigmed.intake.config import read_config_file
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        OutputSettings,
        ResourceSettings,
        StorageSettings,
        WorkflowSettings,
    )

    cwd, path, umask = os.getcwd(), list(sys.path), os.umask(0o022)
    out, err = io.StringIO(), io.StringIO()
    stop = Stop("none")
    try:  # as `bigmed validate` does before it hands the config to Snakemake
        read_config_file(str(config))
    except InputError as bad:
        os.umask(umask)
        return "", f"bigmed: error: {bad}\n", Stop("exit", 1)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_TIMEOUT)
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            SnakemakeApi(OutputSettings()) as api,
        ):
            wf = api.workflow(
                snakefile=ROOT / "Snakefile",
                workdir=workdir,
                resource_settings=ResourceSettings(cores=1),
                config_settings=ConfigSettings(configfiles=[config]),
                storage_settings=StorageSettings(),
                # the source cache in the case's folder: no temporary folder left to GC
                workflow_settings=WorkflowSettings(
                    runtime_source_cache_path=workdir / ".snakemake" / "source-cache"
                ),
            )
            wf.dag(DAGSettings()).execute_workflow(executor="dryrun")
    except _Timeout:
        stop = Stop("timeout")
    except SystemExit as exc:
        stop = Stop("exit", exc.code)
    except BaseException as exc:  # everything a user could see, classified by the caller
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        stop = Stop("exception", None, text.splitlines()[-1][:300] if text else type(exc).__name__)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        os.chdir(cwd)
        sys.path[:] = path
        os.umask(umask)
    return out.getvalue(), err.getvalue(), stop


def _collect_workflow() -> None:
    """Let the finished workflow's temporary folders go now: Snakemake leaves them to
    garbage collection, whose ResourceWarning would land in whatever test runs next."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def classify(workdir: Path, stderr: str, stop: Stop) -> Outcome:
    """What the user saw: a normal start, one good error line, or not."""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("bigmed: error:")]
    if stop.how == "none":
        if errors:
            return Outcome("bad_error", f"started, yet printed: {errors[0]}")
        return Outcome("ok", "")
    if stop.how == "timeout":
        return Outcome("traceback", f"no start within {CASE_TIMEOUT} s")
    if stop.how == "exception":
        return Outcome("traceback", stop.text)
    others = [ln for ln in lines if not ln.startswith(("bigmed: error:", "bigmed: warning:"))]
    if len(errors) != 1 or others or stop.code != 1:
        return Outcome("bad_error", (errors + others + [f"exit {stop.code}"])[0][:300])
    m = ERROR_LINE.match(errors[0])
    named = m.group("file") if m else ""
    # os.path.exists: a name too long for the file system is "not there", never an OSError
    if not m or not (named == "config" or os.path.exists(named) or _user_wrote(workdir, named)):
        return Outcome("bad_error", f"names no file of the batch: {errors[0][:300]}")
    return Outcome("error", errors[0])


def _user_wrote(workdir: Path, path: str) -> bool:
    """A path that is not there, as the config or a sheet names it (e.g. a FASTQ path
    mutated into another one)."""
    for name in ("config.yaml", "samples.tsv", "units.tsv", "calls.tsv"):
        text = (workdir / name).read_bytes().decode("utf-8", errors="replace")
        if path in text:
            return True
    return str(workdir) in path


def run_case(base: Path, scratch: Path, m: Mutation) -> Outcome:
    """Copy the base batch, apply the mutation, start, classify; the copy is removed."""
    workdir = scratch / "case"
    if workdir.exists():
        shutil.rmtree(workdir)
    config = copy_batch(base, workdir)
    apply(m, workdir)
    try:
        _, stderr, stop = start(workdir, config)
        _collect_workflow()
        return classify(workdir, stderr, stop)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
