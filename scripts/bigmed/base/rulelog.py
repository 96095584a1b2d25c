"""Run a rule script's main() with stdout/stderr sent to the rule's log file."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any


def run_logged(smk: Any, main: Callable[[Any], None]) -> None:
    log = smk.log[0] if len(smk.log) else None
    if log is None:
        main(smk)
        return
    with (
        open(log, "w") as handle,
        contextlib.redirect_stdout(handle),
        contextlib.redirect_stderr(handle),
    ):
        try:
            main(smk)
        except Exception as err:  # log the failure, then let Snakemake see it
            print(f"bigmed: error: {type(err).__name__}: {err}", file=handle)
            raise
