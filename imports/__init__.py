"""Bulk import of register files: one parser per format, a shared validator, one service.

Formats live in ``formats/``; each turns a file's rows into normalised values and
row-numbered problems. ``services.import_run`` applies them in one transaction.
"""
