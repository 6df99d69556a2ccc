import re
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import BadRequest
from django.core.validators import URLValidator
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from .models import Comment
from .sanitize import sanitize_comment

TOKEN_SALT = "comments.form-token"  # noqa: S105 (a namespace for signing, not a secret)
# C0 and C1 control characters except tab, newline and carriage return (NUL is
# refused earlier by Django's own validator).
CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[\t\r\n]+")


def form_token(article, rendered_at=None):
    """A signed token binding a rendered form to its article and the time it was rendered."""
    return signing.dumps([article.pk, rendered_at or time.time()], salt=TOKEN_SALT, compress=True)


def read_form_token(token, article):
    """Return when the form was rendered; a forged token, or one for another article, is a bad request."""
    try:
        article_id, rendered_at = signing.loads(token or "", salt=TOKEN_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        raise BadRequest("Invalid comment form token.") from None
    if article_id != article.pk or not isinstance(rendered_at, (int, float)):
        raise BadRequest("Comment form token for another article.")
    return rendered_at


class CommentForm(forms.ModelForm):
    author_url = forms.URLField(
        label=_("Website"),
        max_length=200,
        required=False,
        assume_scheme="https",
        validators=[
            URLValidator(schemes=["http", "https"], message=_("Enter a web address starting with http:// or https://."))
        ],
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    remember = forms.BooleanField(
        label=_("Save my name, email, and website in this browser for the next time I comment."),
        required=False,
    )
    parent = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
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

    def __init__(self, *args, article, rendered_at=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.rendered_at = rendered_at
        self.instance.article = article
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

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.has_error("author_email"):
            # Keep pointing at the privacy note, and at the error too.
            self.fields["author_email"].widget.attrs["aria-describedby"] = "email-notes id_author_email_error"

    def clean_body(self):
        body = CONTROL_CHARACTERS.sub("", self.cleaned_data["body"]).strip()
        html = sanitize_comment(body)
        if not strip_tags(html).strip():
            raise forms.ValidationError(_("Please type your comment."), code="empty")
        self.instance.body_html = html
        return body

    def _single_line(self, name):
        value = LINE_BREAKS.sub(" ", CONTROL_CHARACTERS.sub("", self.cleaned_data[name])).strip()
        if not value and self.fields[name].required:
            raise forms.ValidationError(self.fields[name].error_messages["required"], code="required")
        return value

    def clean_author_name(self):
        return self._single_line("author_name")

    def clean_author_email(self):
        return self._single_line("author_email")

    def clean_author_url(self):
        return self._single_line("author_url")

    def clean_parent(self):
        """Only an approved comment of the same article can be replied to."""
        parent_id = self.cleaned_data["parent"]
        if parent_id is None:
            return None
        parent = Comment.objects.approved().filter(article=self.article, pk=parent_id).first()
        if parent is None:
            raise forms.ValidationError(
                _("The comment you are replying to does not exist or is not published."), code="invalid_parent"
            )
        # Replies below the deepest level attach beside their parent, as in WordPress.
        if parent.depth >= settings.COMMENTS_MAX_DEPTH and parent.parent_id:
            parent = Comment.objects.get(pk=parent.parent_id)
        return parent

    def clean(self):
        cleaned = super().clean()
        if self.rendered_at and time.time() - self.rendered_at > settings.COMMENTS_FORM_MAX_AGE_SECONDS:
            raise forms.ValidationError(_("This form has expired; please post again."), code="expired")
        return cleaned

    def looks_automated(self):
        """A filled honeypot or a post faster than a person could type: store as spam, say nothing."""
        too_fast = self.rendered_at and time.time() - self.rendered_at < settings.COMMENTS_MIN_SUBMIT_SECONDS
        return bool(self.cleaned_data.get("leave_empty") or too_fast)

    def save(self, commit=True):
        self.instance.parent = self.cleaned_data.get("parent")
        return super().save(commit)
