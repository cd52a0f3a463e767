"""Logging filters; imported by LOGGING before the apps load, so nothing here touches models."""

import logging
import re


class MaskPersonalDataFilter(logging.Filter):
    """A logging filter that masks 18-digit identity card numbers and 11-digit mainland mobile
    numbers in a record's message and arguments, keeping the first and last digits for tracing."""

    ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
    MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")

    @classmethod
    def mask(cls, text: str) -> str:
        text = cls.ID_NUMBER.sub(r"\1********\2", text)
        return cls.MOBILE.sub(r"\1****\2", text)

    def filter(self, record: logging.LogRecord) -> bool:
        # Formatting first means arguments of any type (a model, a dict) are masked as printed.
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logging's problem to report, not ours
            return True
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.mask(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        return True
