from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import WordList


@admin.register(WordList)
class WordListAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entry_count"]
    fields = ["kind", "words"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # exactly the two lists the migration creates

    def has_delete_permission(self, request: HttpRequest, obj: WordList | None = None) -> bool:
        return False

    @admin.display(description=_("entries"))
    def entry_count(self, wordlist: WordList) -> int:
        return len(wordlist.entries())
