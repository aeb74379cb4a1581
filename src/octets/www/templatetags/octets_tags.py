"""Template helpers shared by every page."""

from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# CommonMark with tables; raw HTML is escaped and unsafe link schemes (javascript:…) refused,
# so content and teachers' texts cannot inject markup; no images (nothing loaded from elsewhere).
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")


@register.filter
def markdown(text) -> str:
    """Markdown text as safe HTML blocks."""
    return mark_safe(_MARKDOWN.render(str(text or "")))


@register.filter
def markdown_inline(text) -> str:
    """Markdown text as safe inline HTML (no paragraph), for text around answer inputs."""
    return mark_safe(_MARKDOWN.renderInline(str(text or "")))


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination and filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag
def field_widget(field):
    """The field's input, described by its hint and its errors, and marked invalid on error."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}-errors")
    attrs = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (None when missing)."""
    return mapping.get(key) if mapping else None


@register.filter
def filename(url) -> str:
    """The last part of a URL path (the file name of an attachment)."""
    return str(url or "").rstrip("/").rsplit("/", 1)[-1]


@register.filter
def duration(text) -> str:
    """A tutorial duration "HH:MM:SS" as people say it ("4 min", "1 h 05", "45 s")."""
    parts = str(text or "").split(":")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return str(text or "")
    hours, minutes, seconds = (int(part) for part in parts)
    if hours:
        return f"{hours} h {minutes:02d}"
    if minutes:
        return f"{minutes + (1 if seconds >= 30 else 0)} min"
    return f"{seconds} s"
