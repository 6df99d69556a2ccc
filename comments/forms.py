import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import BadRequest
from django.core.validators import URLValidator
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from .models import Comment, Reason, Report
from .normalize import INVISIBLE, visible_text
from .sanitize import sanitize_comment, shows_nothing

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from articles.models import Article

TOKEN_SALT = "comments.form-token"  # noqa: S105 (a namespace for signing, not a secret)
# C0 and C1 control characters except tab, newline and carriage return (NUL is
# refused earlier by Django's own validator).
CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[\t\r\n]+")
# What makes sanitising costly: tags, character references and bare links (each becomes
# an element or a lookup in the HTML parser). Counted before the sanitiser ever runs.
# Every "<" and "&" counts (the parser works at each, tag or not), and every bare link.
MARKUP = re.compile(r"[<&]|\b(?:https?://|www\.)", re.IGNORECASE)
MAX_MARKUP = 300
MAX_LINES = 500


@dataclass(frozen=True)
class FormToken:
    """When a form was rendered, and the nonce that lets it be used for one comment only."""

    rendered_at: float
    nonce: str | None


def form_token(article: "Article", rendered_at: float | None = None) -> str:
    """A signed token binding a rendered form to its article, the time it was rendered and a nonce."""
    nonce = secrets.token_urlsafe(12)
    return signing.dumps([article.pk, rendered_at or time.time(), nonce], salt=TOKEN_SALT)


def read_form_token(token: str | None, article: "Article") -> FormToken:
    """The FormToken; a forged token, or one for another article, is a bad request."""
    try:
        article_id, rendered_at, *nonce = signing.loads(token or "", salt=TOKEN_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        raise BadRequest("Invalid comment form token.") from None
    if article_id != article.pk or not isinstance(rendered_at, int | float):
        raise BadRequest("Comment form token for another article.")
    if not nonce:  # a form rendered before forms had nonces: treat it as expired
        return FormToken(0, None)
    return FormToken(rendered_at, nonce[0])


class WebsiteField(forms.URLField):
    """http and https only, with one message (forms.URLField would add its own on top)."""

    default_validators = [
        URLValidator(schemes=["http", "https"], message=_("Enter a web address starting with http:// or https://."))
    ]
    default_error_messages = {"invalid": _("Enter a web address starting with http:// or https://.")}

    def clean(self, value: Any) -> Any:
        if isinstance(value, str) and INVISIBLE.search(value):  # a look-alike address: refuse it
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return super().clean(value)
        except forms.ValidationError as error:  # the first problem only: one clear message
            raise forms.ValidationError(error.messages[0], code="invalid") from None


class CommentForm(forms.ModelForm):
    author_url = WebsiteField(
        label=_("Website"),
        max_length=200,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    remember = forms.BooleanField(
        label=_("Save my name, email, and website in this browser for the next time I comment."),
        required=False,
    )
    parent = forms.ModelChoiceField(
        queryset=Comment.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("The comment you are replying to does not exist or is not published.")},
    )
    # The honeypot: hidden from people and assistive technology, filled by bots.
    leave_empty = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Comment
        fields = ["body", "author_name", "author_email", "author_url", "notify_replies"]
        labels = {
            "body": _("Comment"),
            "author_name": _("Name"),
            "author_email": _("Email"),
            "notify_replies": _("Notify me of follow-up comments by email"),
        }
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8, "cols": 45}),
            "author_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "author_email": forms.EmailInput(attrs={"autocomplete": "email", "aria-describedby": "email-notes"}),
        }
        help_texts = {"body": "", "author_email": ""}  # the note above the form covers the email
        error_messages = {
            "body": {"required": _("Please type your comment.")},
            "author_name": {"required": _("Please enter your name.")},
            "author_email": {
                "required": _("Please enter your email address."),
                "invalid": _("Please enter a valid email address."),
            },
        }

    def __init__(self, *args: Any, article: "Article | None", token: FormToken | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.article = article
        self.token = token
        self.instance.article = article
        # Only an approved comment of the same article can be replied to.
        parent_field = cast(forms.ModelChoiceField, self.fields["parent"])
        parent_field.queryset = Comment.objects.approved().filter(article=article)
        self.fields["author_email"].required = True  # optional in the model only for imported comments
        self.helper = FormHelper(self)
        # The template writes <form> and both tokens, so this markup is the same for every reader.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "body",
            "author_name",
            "author_email",
            "author_url",
            "remember",
            "notify_replies",
            "parent",
            Div(Field("leave_empty"), css_class="d-none", aria_hidden="true"),
            Div(Submit("submit", _("Post Comment")), css_class="form-submit"),
        )

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.has_error("author_email"):
            # Keep pointing at the privacy note, and at the error too.
            self.fields["author_email"].widget.attrs["aria-describedby"] = "email-notes id_author_email_error"

    def refuse(self, message: "StrOrPromise") -> None:
        """Show the form again with `message` above it and the reader's input kept, without validating it."""
        self.cleaned_data, self._errors = {}, ErrorDict()
        self.add_error(None, message)

    def clean_body(self) -> str:
        body = CONTROL_CHARACTERS.sub("", self.cleaned_data["body"]).strip()
        body = body.replace("\r\n", "\n").replace("\r", "\n")  # one kind of line break, so each is counted
        # Bounded before the sanitiser runs: its cost grows with the markup, not the length.
        if body.count("\n") >= MAX_LINES:
            raise forms.ValidationError(
                _("Your comment has too many lines (at most %(max)d)."),
                code="too_many_lines",
                params={"max": MAX_LINES},
            )
        if len(MARKUP.findall(body)) > MAX_MARKUP:
            raise forms.ValidationError(
                _("Your comment has too many tags, links, “<” or “&” characters (at most %(max)d)."),
                code="too_much_markup",
                params={"max": MAX_MARKUP},
            )
        html = sanitize_comment(body)
        if shows_nothing(html):
            raise forms.ValidationError(_("Please type your comment."), code="empty")
        self.instance.use_body(body, html)
        return body

    def _single_line(self, name: str) -> str:
        value = LINE_BREAKS.sub(" ", CONTROL_CHARACTERS.sub("", self.cleaned_data[name])).strip()
        if self.fields[name].required and not visible_text(value).strip():  # blank, or only invisible characters
            raise forms.ValidationError(self.fields[name].error_messages["required"], code="required")
        return value

    def clean_author_name(self) -> str:
        return self._single_line("author_name")

    def clean_author_email(self) -> str:
        return self._single_line("author_email")

    def clean_author_url(self) -> str:
        return self._single_line("author_url")

    def clean_parent(self) -> Comment | None:
        parent = self.cleaned_data["parent"]
        return parent.reply_parent() if parent is not None else None

    def _form_age(self) -> float | None:
        return time.time() - self.token.rendered_at if self.token else None

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        age = self._form_age()
        if age is not None and age > settings.COMMENTS_FORM_MAX_AGE_SECONDS:
            raise forms.ValidationError(_("This form has expired; please post again."), code="expired")
        return cleaned

    def automation(self) -> dict[str, Any] | None:
        """What gives a bot away (a filled honeypot, a post faster than a person could type), or None.

        Such a comment is stored as spam, and the reader is told nothing different.
        """
        if self.cleaned_data.get("leave_empty"):
            return {"code": Reason.HONEYPOT}
        age = self._form_age()
        if age is not None and age < settings.COMMENTS_MIN_SUBMIT_SECONDS:
            return {"code": Reason.TOO_FAST, "seconds": round(age, 1)}
        return None

    def save(self, commit: bool = True) -> Comment:
        self.instance.parent = self.cleaned_data.get("parent")
        return super().save(commit)


class ReportForm(forms.ModelForm):
    """A reader's report of a comment; for illegal content, what a notice under the DSA (Art. 16) holds."""

    summary_title = _("Your report could not be sent:")  # above the list of errors (bootstrap5/errors.html)
    good_faith = forms.BooleanField(
        label=_("I confirm in good faith that this report is accurate and complete"),
        required=False,
    )

    class Meta:
        model = Report
        fields = ["kind", "explanation", "reporter_email"]
        labels = {
            "kind": _("What is wrong with this comment?"),
            "explanation": _("Why it is illegal"),
            "reporter_email": _("Your email, to be told the outcome (optional)"),
        }
        help_texts = {
            "explanation": _("Say which law it breaks, and where in the comment, as precisely as you can."),
            "reporter_email": _("Used only to tell you our decision. The author of the comment never sees it."),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "explanation": forms.Textarea(attrs={"rows": 5, "cols": 45, "maxlength": 2000}),
            "reporter_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "kind": {"required": _("Please choose what is wrong with the comment.")},
            "reporter_email": {"invalid": _("Please enter a valid email address.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No empty "---------" choice among the radios.
        cast(forms.ChoiceField, self.fields["kind"]).choices = Report.Kind.choices
        self.helper = FormHelper(self)
        self.helper.layout = Layout(
            "kind",
            Fieldset(_("Only for illegal content"), "explanation", "reporter_email", "good_faith"),
            Div(Submit("submit", _("Send report")), css_class="form-submit"),
        )

    def clean_explanation(self) -> str:
        return CONTROL_CHARACTERS.sub("", self.cleaned_data["explanation"]).strip()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.cleaned_data.get("kind") != Report.Kind.ILLEGAL:
            # The explanation and the email belong to a notice of illegal content only: nothing else is kept.
            self.cleaned_data |= {"explanation": "", "reporter_email": ""}
            return cleaned
        if not self.has_error("explanation") and not visible_text(self.cleaned_data.get("explanation", "")).strip():
            self.add_error(
                "explanation",
                forms.ValidationError(_("Please explain why the comment is illegal."), code="explanation_required"),
            )
        if not self.cleaned_data.get("good_faith"):
            self.add_error(
                "good_faith",
                forms.ValidationError(
                    _("Please tick this box to send a report of illegal content."), code="good_faith_required"
                ),
            )
        return cleaned

    def report_fields(self) -> dict[str, Any]:
        """What file_report stores of the form."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
