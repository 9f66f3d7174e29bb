"""Logs never carry a person's CCCD or phone: every line is masked before a handler writes it.

A database error quoted in a log names the row it refused (PostgreSQL: ``Key (cccd)=(…)``), and
an exception may hold what was typed; the filter masks the message and the traceback alike
(``enrollments.privacy.mask_in_text``).
"""

import logging


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from enrollments.privacy import mask_in_text  # logging is configured before the apps load

        record.msg, record.args = mask_in_text(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_in_text(record.stack_info)
        return True
