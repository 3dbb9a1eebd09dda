from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchTerm(models.Model):
    """A word of the public register's search text, and how many current entries use it.

    The vocabulary "did you mean" suggests corrections from: English words of titles,
    qualification types, provider and area names, and the Chinese character pairs of
    titles and provider names (folded to Traditional). Rebuilt from the register by
    `credentials.search.vocabulary.search_vocabulary_refresh`, on a schedule.
    """

    word = models.CharField(_("word"), max_length=40, unique=True)
    frequency = models.PositiveIntegerField(
        _("frequency"), help_text=_("How many current registered entries use the word.")
    )

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        indexes = [
            # pg_trgm: `word % 'nursng'` finds similar words without reading the table.
            GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="searchterm_word_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.frequency})"
