"""Log records as single lines, with anything shaped like an email address blanked out."""

import logging
import re

EMAIL = re.compile(r"[^\s@<>\"'()\[\],;:]+@[^\s@<>\"'()\[\],;:]+\.[A-Za-z0-9-]+")


class OneLineFormatter(logging.Formatter):
    """One line per record: the message, then the exception's type and where it was raised.

    Exception messages and tracebacks are left out because they can quote
    personal data (a database error repeats the values of the failed row).
    """

    def format(self, record):
        line = f"{self.formatTime(record)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exception = record.exc_info[1]
            traceback = exception.__traceback__
            while traceback and traceback.tb_next:
                traceback = traceback.tb_next
            where = f" at {traceback.tb_frame.f_code.co_filename}:{traceback.tb_lineno}" if traceback else ""
            line += f" [{type(exception).__name__}{where}]"
        return EMAIL.sub("[email]", " ".join(line.split()))
