"""Store layer: the lab's variant store (local observations, own classifications, partner
exchange), SQLite or PostgreSQL behind the same SQLAlchemy Core code.

Imports bigmed.base, bigmed.genome, bigmed.intake and bigmed.knowledge; the pilots, the
report layer and the ``bigmed store`` command import it.
"""
