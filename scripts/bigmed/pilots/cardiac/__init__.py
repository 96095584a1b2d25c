"""Cardiac pilot: panels by indication, findings, exon coverage, cascade and targeted testing."""
