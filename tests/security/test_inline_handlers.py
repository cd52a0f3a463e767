"""No template carries an inline event handler (`onclick=`, `onsubmit=` …): the policy refuses them
all, so one would silently do nothing in the browser. Behaviours are data- attributes wired up by
static/js/behaviours.js."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import OWN

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# An attribute named on… inside a tag: ` onchange="…"`, ` onClick='…'`, ` onload=x`.
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def inline_handlers(text: str) -> list[str]:
    return [match.group(0)[-60:] for match in INLINE_HANDLER.finditer(text)]


def test_no_template_has_an_inline_event_handler():
    found = {
        str(path.relative_to(TEMPLATES)): inline_handlers(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.rglob("*.html")
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


@pytest.mark.parametrize(
    "markup",
    [
        '<select name="language" onchange="this.form.submit()">',
        "<form\n  onSubmit='return confirm(1)'>",
        "<a onclick=go()>",
    ],
)
def test_the_check_finds_a_handler(markup):
    assert inline_handlers(markup)


@pytest.mark.parametrize("markup", ['<p data-confirm="one more">', "<p>Turn it on=off</p>", '<input name="phone">'])
def test_the_check_leaves_other_markup_alone(markup):
    assert not inline_handlers(markup)


@pytest.mark.django_db
def test_the_policy_allows_no_inline_handler_on_staff_and_public_pages(tree, clerk):
    staff = Client()
    staff.force_login(clerk)
    for response in (staff.get(reverse("home")), Client().get(f"/r/{tree[OWN].public_token}/")):
        scripts = response["Content-Security-Policy"].split("script-src", 1)[1].split(";", 1)[0]
        assert "'unsafe-hashes'" not in scripts and "'sha256-" not in scripts and "'unsafe-inline'" not in scripts
        assert "js/behaviours.js" in response.content.decode()


def test_behaviours_script_handles_what_the_handlers_did():
    script = (Path(settings.BASE_DIR) / "static" / "js" / "behaviours.js").read_text(encoding="utf-8")
    assert "data-autosubmit" in script and "dataset.confirm" in script
