"""Keeping personal data out of the application log.

An exception's message can carry the values of the row that failed (PostgreSQL's
"Key (kana_normalized, birth_date)=(クサノミツ, 1946-08-03) already exists"). The log keeps
where it happened — the traceback's frames and the exception's type — and withholds the
message. The request id in the log line ties it to the audit log for whoever may read that.
"""

from __future__ import annotations

import logging
import traceback


class WithholdExceptionMessages(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, tb = record.exc_info
            frames = "".join(traceback.format_tb(tb))
            record.exc_text = (
                f"Traceback (most recent call last):\n{frames}"
                f"{kind.__module__}.{kind.__qualname__}: (message withheld: it may hold "
                "personal data)"
            )
            record.exc_info = None
        return True
