"""Germline classification: the ACMG/AMP engine and per-patient classification.

Imports the layers below (base, genome, intake, knowledge); never a pilot or the report.
"""
