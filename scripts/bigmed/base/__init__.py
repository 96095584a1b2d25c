"""Lowest layer: errors, atomic writes, rule logging, the one text opener, schema lookup.

Imports nothing else from bigmed.
"""
