"""The provider workspace and the staff pages that show several domains at once.

A composition app: it reads and writes through the services of credentials, qa_reviews,
imports and status_checks, and nothing below it imports it.
"""
