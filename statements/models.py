from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusListEntry(models.Model):
    """A register entry's place in the registry's status lists, allocated once for good.

    The index is the row's identity: PostgreSQL hands each value out once, and the table is
    append-only (a trigger refuses UPDATE, DELETE and TRUNCATE), so an index that a statement
    carries never comes to mean another record. Every statement of the entry shares it.
    """

    # Column "id", as in every table the shared history trigger guards (it names OLD.id).
    index = models.BigAutoField(_("status list index"), primary_key=True, db_column="id")
    credential = models.OneToOneField(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="status_list_entry",
        verbose_name=_("credential"),
    )
    allocated_at = models.DateTimeField(_("allocated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status list entry")
        verbose_name_plural = _("status list entries")

    def __str__(self) -> str:
        return f"{self.index}: {self.credential_id}"
