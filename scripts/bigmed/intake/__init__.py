"""Intake layer: config, sample sheets, FASTQ/BAM/CRAM/VCF inputs, read QC and coverage readers.

Imports bigmed.base and bigmed.genome.
"""
