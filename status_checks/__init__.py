"""Accreditation-status checks: rules, register adapters, and the services that apply them."""
