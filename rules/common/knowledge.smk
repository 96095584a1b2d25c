# Knowledge sources: checked when the workflow is parsed; the bundle's paths
# (its rules: rules/knowledge.smk).

from bigmed.knowledge import sources as bm_kb
from bigmed.germline.acmg import load_overrides

# The ACMG overrides ship with the pipeline: a relative path is looked up in the run
# directory, then in the pipeline directory.
_overrides = config["acmg"]["overrides"]
if not (os.path.isabs(_overrides) or os.path.exists(_overrides)):
    _overrides = str(Path(workflow.basedir) / _overrides)
ACMG_OVERRIDES = _overrides
try:
    if not os.path.exists(ACMG_OVERRIDES):  # name what the config says, not the lookup
        raise InputError(
            "config",
            f"ACMG overrides file '{config['acmg']['overrides']}' not found (looked in "
            "the run directory and the pipeline directory)",
            field="acmg.overrides",
        )
    KNOWLEDGE = bm_kb.check_sources(config["knowledge"]["sources"])
    load_overrides(ACMG_OVERRIDES)
except InputError as _err:
    _fail(_err)

KB_DIR = config["knowledge"]["dir"]
KB_BUNDLE = {
    name: f"{KB_DIR}/{name}.json"
    for name in ("manifest", "genes", "assertions", "hotspots")
}
