"""Report layer: report documents, HTML pages, the batch page, reanalysis diffs, provenance.

Renders what the pilots build; the top layer (imports anything below, nothing imports it
except rule scripts).
"""
