"""Log lines never carry a CCCD or a phone: the console handler masks the message and the traceback."""

import io
import logging

from config.log_masking import MaskPersonalData


def _console_handler() -> logging.Handler:
    [handler] = [h for h in logging.getLogger().handlers if any(isinstance(f, MaskPersonalData) for f in h.filters)]
    return handler


def test_the_configured_console_masks_cccd_and_phone_in_messages_and_tracebacks():
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    logger = logging.getLogger("bhxh.test")
    try:
        try:
            raise ValueError("duplicate key value violates unique constraint: Key (cccd)=(072085000001)")
        except ValueError:
            logger.error("import failed for %s, phone %s", "072085000001", "0912345678", exc_info=True)
    finally:
        handler.setStream(previous)
    written = stream.getvalue()
    assert "import failed for 072*******01, phone 091****678" in written
    assert "Key (cccd)=(072*******01)" in written
    assert "072085000001" not in written and "0912345678" not in written


def test_other_numbers_are_left_alone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "import 42 wrote %s rows, 1263600 đồng", (12,), None)
    MaskPersonalData().filter(record)
    assert record.getMessage() == "import 42 wrote 12 rows, 1263600 đồng"
