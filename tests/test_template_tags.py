"""Template helpers: Markdown that cannot inject markup, durations, file names."""

from hypothesis import given
from hypothesis import strategies as st

from octets.www.templatetags.octets_tags import (
    duration,
    filename,
    get_item,
    markdown,
    markdown_inline,
)


def test_markdown_renders_emphasis_code_and_tables():
    html = markdown("Un **mot** et `du code`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>mot</strong>" in html and "<code>du code</code>" in html
    assert "<table>" in html
    assert markdown_inline("*là*") == "<em>là</em>"


def test_markdown_escapes_html_and_refuses_script_links():
    html = markdown(
        "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"
    )
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html


@given(st.text(max_size=200))
def test_no_text_turns_into_a_tag_other_than_markdown_ones(text):
    html = markdown(text) + markdown_inline(text)
    lowered = html.lower()
    for tag in ("<script", "<iframe", "<img", "<style", "<object", " onerror=", " onload="):
        assert tag not in lowered


def test_duration_reads_like_people_say_it():
    assert duration("00:04:00") == "4 min"
    assert duration("00:04:40") == "5 min"
    assert duration("01:05:00") == "1 h 05"
    assert duration("00:00:45") == "45 s"
    assert duration("quelques minutes") == "quelques minutes"
    assert duration("") == ""


def test_filename_and_get_item():
    assert filename("/contenu/fichiers/1.1/notes-4e.csv") == "notes-4e.csv"
    assert (
        get_item({"a": 1}, "a") == 1 and get_item({}, "a") is None and get_item(None, "a") is None
    )


def test_markdown_images_are_not_loaded_from_elsewhere():
    assert "<img" not in markdown("![pixel espion](https://tracker.example/p.gif)")
