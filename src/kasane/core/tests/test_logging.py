"""An exception's message never reaches the application log: it may hold personal data."""

import logging

from kasane.core.logging import WithholdExceptionMessages


def test_exception_message_is_withheld_but_the_place_is_kept():
    logger = logging.getLogger("kasane.test")
    name = "".join(["クサノ", "ミツ"])  # as a value from the database, not in the source line
    try:
        raise ValueError(f"Key (kana_normalized)=({name}) already exists")
    except ValueError:
        record = logger.makeRecord(
            "kasane.test",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/cases/",),
            exc_info=__import__("sys").exc_info(),
        )
    assert WithholdExceptionMessages().filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert "クサノミツ" not in text
    assert "builtins.ValueError" in text
    assert "test_exception_message_is_withheld" in text  # the frame is kept


def test_the_console_handler_uses_the_filter(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert "withhold" in handler["filters"]
