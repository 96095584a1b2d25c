"""Colorectal cancer pilot: somatic calling, MSI, TMB, biomarkers, AMP/ASCO/CAP tiers, therapies."""
