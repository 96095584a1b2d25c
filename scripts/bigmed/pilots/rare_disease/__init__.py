"""Rare-disease pilot: families, sample checks, inheritance models, HPO ranking, candidates."""
