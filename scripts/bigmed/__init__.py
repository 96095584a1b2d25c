"""bigmed: the importable core of the bigmed pipeline.

Everything with logic lives here; the Snakemake rule scripts in ``scripts/`` only
read ``snakemake.input``/``params``/``output`` and call into this package.
"""

__version__ = "0.1.0"
