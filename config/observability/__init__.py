"""Operators' view of the running register: JSON logs with a request id, Prometheus metrics,
optional Sentry. See README, Observability."""
