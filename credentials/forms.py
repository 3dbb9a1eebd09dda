"""Form fields the register's own forms share (the admin and the workspace)."""

from django import forms
from django.contrib.postgres.forms import SimpleArrayField


class LinesArrayField(SimpleArrayField):
    """An array edited one item a line, because learning outcomes contain commas."""

    widget = forms.Textarea

    def __init__(self, base_field, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(base_field, delimiter="\n", **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = [line.strip() for line in value.splitlines() if line.strip()]
        return super().to_python(value)
