"""A project-local PostgreSQL and Redis for development and tests, run from pip-installed wheels.

Used as ``python -m devstack up|down|status|exec -- CMD|run``; state lives in ``.devstack/``.
"""
