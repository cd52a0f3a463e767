"""Log lines never carry an identity card number or a mobile number in clear."""

import io
import logging

from govcenter.logfilters import MaskPersonalDataFilter


def test_identity_and_mobile_numbers_are_masked():
    mask = MaskPersonalDataFilter.mask
    assert mask("申请人 62010219900101123X 电话 13811112222") == "申请人 620102********123X 电话 138****2222"
    # Numbers that are not an ID or a mobile number (case numbers, longer digit runs) are kept.
    assert mask("case 2026-000123, order 123456789012345678901") == "case 2026-000123, order 123456789012345678901"
    assert mask("landline 09318888888") == "landline 09318888888"


def test_portal_loggers_mask_personal_data_in_messages_arguments_and_tracebacks():
    handler = next(h for h in logging.getLogger("govcenter").handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logger = logging.getLogger("govcenter.exports")
        logger.warning("party %s called from %s", "620102199001011234", {"phone": "13912345678"})
        try:
            raise ValueError("bad id 620102199001011234")
        except ValueError:
            logger.exception("export for 15900001111 failed")
    finally:
        handler.setStream(previous)
    text = stream.getvalue()
    assert "620102********1234" in text and "139****5678" in text and "159****1111" in text
    assert "620102199001011234" not in text and "13912345678" not in text and "15900001111" not in text
