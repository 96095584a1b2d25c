"""Knowledge layer: source specs and checks, one reader per source, the bundle and the join.

Imports bigmed.base, bigmed.genome and bigmed.intake.
"""
