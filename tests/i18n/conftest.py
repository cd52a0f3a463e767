"""The walk: the small demo province seeded once for this folder (and rolled back after it), then
every page reachable from the navigation, for one demo login of each role and for a citizen without
one, fetched in Chinese with the test client. The tests here read the pages it brings back."""

import io
import traceback
from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from tests.i18n.pages import parse

# The second language is walked too, for a few roles: enough to catch text fixed in Chinese.
ENGLISH_ROLES = ("director", "grid", "auditor")
ROLES = ("director", "clerk", "mediator", "grid", "court", "police", "petition", "department", "auditor", "expert")
# Links not followed: files, the API, the admin, and anything that logs out or switches language.
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/i18n/", "/jsi18n/", "/accounts/logout/")
SKIPPED_NAMES = {
    "export-download",
    "case-attachment",
    "visit-photo",
    "center-qr",
    "mediation-agreement-scan",
    "handoff-import-template",
}
PAGES_PER_NAME = 2  # a list and one filtered view of it, or two detail pages of one kind
PAGES_PER_ROLE = 45


@dataclass(frozen=True)
class Page:
    who: str
    url: str
    status: int
    html: str
    language: str = "zh-hans"


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def _links(html: str) -> list[str]:
    root = parse(html)
    found = []
    for node in root.walk():
        href = node.attrs.get("href", "") if node.tag == "a" else ""
        href = urldefrag(href)[0]
        if href.startswith("?"):
            continue  # the same page filtered: taken from its absolute links instead
        if href.startswith("/") and not href.startswith("//") and not href.startswith(SKIPPED_PREFIXES):
            found.append(href)
    return found


def walk(client: Client, who: str, start: str = "/", language: str = "zh-hans") -> list[Page]:
    """Breadth first from `start` over the portal's own links, a few pages of each kind."""
    pages, seen, per_name = [], set(), Counter()
    queue = deque([start])
    while queue and len(pages) < PAGES_PER_ROLE:
        url = queue.popleft()
        name = _url_name(urlsplit(url).path)
        if url in seen or name is None or name in SKIPPED_NAMES or per_name[name] >= PAGES_PER_NAME:
            continue
        seen.add(url)
        per_name[name] += 1
        try:
            response = client.get(url)
        except Exception:  # a page that breaks is a finding of the walk, not the end of it
            pages.append(Page(who, url, 500, traceback.format_exc()))
            continue
        if response.status_code in (301, 302, 303):
            queue.appendleft(response["Location"])
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        pages.append(Page(who, url, response.status_code, html, language))
        queue.extend(_links(html))
    return pages


def _public_pages(client: Client) -> list[Page]:
    from cases.models import Case
    from govcenter.demo import DEMO_TOWNSHIP
    from govcenter.models import Center

    token = Center.objects.get(code=DEMO_TOWNSHIP).public_token
    receipt = Case.objects.exclude(receipt="").values_list("receipt", flat=True).first()
    urls = ["/accounts/login/", f"/r/{token}/", "/r/no-such-token/", "/receipt/", "/receipt/ZZZZ9999/", "/verify/"]
    urls += [f"/receipt/{receipt}/"] if receipt else []
    urls += ["/verify/ABCD-EFGH-JKLM/"]
    pages = [Page("citizen", url, (r := client.get(url)).status_code, r.content.decode()) for url in urls]
    # Forms sent empty or wrong: their messages beside the fields.
    for url, data in ((f"/r/{token}/", {}), ("/receipt/?code=%3F", None), ("/verify/?code=0", None)):
        response = client.post(url, data) if data is not None else client.get(url)
        pages.append(Page("citizen", f"{url} (sent wrong)", response.status_code, response.content.decode()))
    return pages


def _forms_sent_empty(client: Client, who: str, pages: list[Page]) -> list[Page]:
    """The user's own forms (those posting back to the page they are on) sent empty once: the field
    errors are part of what a page says."""
    sent = []
    for page in pages:
        root = parse(page.html)
        posts_back = any(
            node.tag == "form"
            and node.attrs.get("method", "").lower() == "post"
            and node.attrs.get("action", "") in ("", page.url)
            for node in root.walk()
        )
        if posts_back and page.status == 200 and len(sent) < 6:
            try:
                response = client.post(page.url, {})
            except Exception:
                sent.append(Page(who, f"{page.url} (sent empty)", 500, traceback.format_exc()))
                continue
            if response.get("Content-Type", "").startswith("text/html") and response.status_code in (200, 400, 409):
                sent.append(Page(who, f"{page.url} (sent empty)", response.status_code, response.content.decode()))
    return sent


@pytest.fixture(scope="package")
def walked_pages(django_db_setup, django_db_blocker) -> list[Page]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--scale", "small", "--workers", "1", stdout=io.StringIO())
        users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
        pages = _public_pages(Client())
        for role in ROLES:
            client = Client()
            client.force_login(users[role])
            role_pages = walk(client, role)
            pages += role_pages + _forms_sent_empty(client, role, role_pages)
        for role in ENGLISH_ROLES:
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            client.force_login(users[role])
            pages += walk(client, role, language="en")
        transaction.set_rollback(True)
    return pages
