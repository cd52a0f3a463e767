#!/usr/bin/env bash
# Best effort, as root where apt-get exists: the Debian packages that make PDFs fast and checkable.
# libharfbuzz-subset0 makes WeasyPrint subset fonts in about 0.1 s a page instead of seconds
# (fontTools); poppler-utils gives pdftotext/pdffonts/pdftoppm to look at a PDF. Everything works
# without them, only slower: so a failure here warns and never stops the install.
set -uo pipefail
packages="libharfbuzz-subset0 poppler-utils"
wanted=2
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    exit 0
fi
# shellcheck disable=SC2086 # the list is meant to split
installed=$(dpkg-query -W -f='${Status}\n' $packages 2>/dev/null | grep -c 'install ok installed')
if [ "$installed" != "$wanted" ]; then
    # shellcheck disable=SC2086
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null; } \
        || echo "warning: could not install $packages; PDFs render slowly (fontTools subsetting)" >&2
fi
exit 0
