"""The three clinical pilots: rare_disease, cardiac, crc.

Each pilot imports the layers below it (base .. germline) and never another pilot; the
documents they build are rendered by bigmed.report.
"""
