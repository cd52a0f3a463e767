"""Pages of cases (being written)."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404


case_list = case_intake = case_detail = case_verb = attachment_upload = attachment_download = _missing
notification_list = center_qr = public_form = receipt_lookup = receipt_status = _missing
