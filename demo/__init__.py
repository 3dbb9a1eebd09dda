"""The demo register: data files in ``data/`` and ``manage.py seed_demo``, which loads them.

The top layer: it uses every other app, and nothing imports it.
"""
