"""Keyboard and screen-reader basics on every page of the walk."""

import pytest

from tests.i18n.pages import accessibility_problems, where_found

pytestmark = pytest.mark.django_db


def test_controls_images_buttons_and_links_have_names_and_the_focus_order_is_the_page_order(walked_pages):
    findings = {}
    for page in walked_pages:
        if page.status >= 500:
            continue
        for problem in accessibility_problems(page.html):
            findings.setdefault(problem, []).append(f"{page.who} {page.url}")
    report = "\n".join(f"{problem}: {where_found(where)}" for problem, where in sorted(findings.items()))
    assert not findings, f"{len(findings)} problems:\n{report}"
