"""Genome layer: reference and contig map, gene models (GFF3), HGVS, VCF records, genotypes.

Imports only bigmed.base.
"""
