"""HTML templates to PDF with WeasyPrint, in Chinese, offline.

Fonts come from the `pylopdf-fonts-zh-cn` package (Noto Serif SC for body text, Noto Sans SC for
headings), so every install prints Chinese the same way whatever the system has; the page layout
lives in `templates/pdf/base.html`. A document registered with `govcenter.documents.issue_document`
gets its verification code and a QR code to /verify/<code>/ in the footer of every page, and the
SHA-256 of the bytes returned is recorded on it.

Loading the two fonts (20 MB) into a font configuration takes a while, so it is done once per
process and reused. Subsetting them into each PDF is fast with the system's libharfbuzz-subset0
and several seconds a page without it (WeasyPrint then falls back to fontTools).
"""

import atexit
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from govcenter import documents
from govcenter.errors import ConflictError
from govcenter.models import IssuedDocument

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"

# Families the templates name; bound to the packaged files by the @font-face rules below.
SERIF_FAMILY = "GovCenter Noto Serif SC"
SANS_FAMILY = "GovCenter Noto Sans SC"

# WeasyPrint's font configuration and Pango's font map are not documented as thread-safe; a
# process renders one PDF at a time (app servers and task workers scale by processes anyway).
_render_lock = threading.Lock()
_fonts = None  # (FontConfiguration, CSS), built on first use


def _font_paths() -> tuple[Path, Path]:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.serif_path()), Path(pylopdf_fonts_zh_cn.sans_path())


def _allowed_roots() -> list[Path]:
    serif, sans = _font_paths()
    roots = [serif.parent, sans.parent, Path(settings.BASE_DIR) / "static", Path(settings.BASE_DIR) / "templates"]
    roots += [Path(folder) for folder in settings.STATICFILES_DIRS]
    roots += [Path(settings.STATIC_ROOT), Path(settings.MEDIA_ROOT)]
    return [root.resolve() for root in roots]


def _offline_fetcher():
    """A URL fetcher that reads data: URIs and project files only. A document never reaches the
    network (government networks are often offline, and a template must not leak to a server)."""
    from weasyprint.urls import URLFetcher

    roots = _allowed_roots()

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise ValueError(f"file outside the project refused: {url}")
            elif scheme != "data":
                raise ValueError(f"only file: and data: URLs are fetched, refused: {url[:80]}")
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols=("file", "data"))


def _font_stylesheet():
    """The font configuration with the packaged fonts loaded, and the stylesheet naming them."""
    global _fonts
    if _fonts is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        serif, sans = _font_paths()
        font_config = FontConfiguration()
        css = CSS(
            string=(
                f'@font-face {{ font-family: "{SERIF_FAMILY}"; src: url("{serif.as_uri()}"); }}\n'
                f'@font-face {{ font-family: "{SANS_FAMILY}"; src: url("{sans.as_uri()}"); }}\n'
            ),
            font_config=font_config,
            url_fetcher=_offline_fetcher(),
        )
        _fonts = (font_config, css)
        atexit.register(_release_fonts)
    return _fonts


def _release_fonts() -> None:
    # The font configuration keeps a copy of the fonts in a temporary folder that it removes when
    # collected; collect it while the interpreter can still run that clean-up.
    global _fonts
    _fonts = None


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def page_numbers_css() -> str:
    """The CSS `content` of the page-number footer in the active language: 第 N 页 共 M 页."""
    marker = "\x00"
    text = _("Page %(page)s of %(pages)s") % {"page": f"{marker}page{marker}", "pages": f"{marker}pages{marker}"}
    parts = []
    # Split on the markers: even pieces are text, odd pieces are the counter names.
    for index, piece in enumerate(text.split(marker)):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def public_base_url() -> str:
    return getattr(settings, "PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL).rstrip("/")


def verify_url(document: IssuedDocument) -> str:
    return public_base_url() + reverse("verify-document", args=[document.code])


def _pdf_context(document: IssuedDocument | None) -> dict:
    context = {
        "serif": SERIF_FAMILY,
        "sans": SANS_FAMILY,
        # Safe: CSS strings escaped by _css_string; autoescaping would turn its quotes into &quot;.
        "page_numbers": mark_safe(page_numbers_css()),
        "document": document,
    }
    if document is not None:
        url = verify_url(document)
        context["verify_url"] = url
        context["verify_form_url"] = public_base_url() + reverse("verify-form")
        context["qr"] = segno.make(url, error="m").svg_data_uri(border=0, omitsize=True)
    return context


def render_pdf(template_name: str, context: dict, *, document: IssuedDocument | None = None, base_url=None) -> bytes:
    """Render a template extending `pdf/base.html` to PDF bytes.

    With a `document`, its code and QR code go in every page's footer and the digest of the bytes
    returned is recorded on it; a document is printed once (print again: issue a new one).
    `base_url` resolves relative links in the template; by default the project folder.
    """
    from weasyprint import HTML

    if document is not None and document.sha256:
        raise ConflictError(_("This document was already printed; issue a new document to print it again."))
    html = render_to_string(template_name, {**context, "pdf": _pdf_context(document)})
    base_url = base_url or Path(settings.BASE_DIR).as_uri() + "/"
    with _render_lock:
        font_config, stylesheet = _font_stylesheet()
        pdf_bytes = HTML(string=html, base_url=base_url, url_fetcher=_offline_fetcher()).write_pdf(
            stylesheets=[stylesheet], font_config=font_config
        )
    if document is not None:
        documents.attach_digest(document, pdf_bytes)
    return pdf_bytes
