"""The one error type for user mistakes: carries where and what, prints on one line."""

from __future__ import annotations

import errno

_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)  # a full disk, a quota, a read-only mount


class ReviewkitError(Exception):
    """A mistake a person can fix: bad file, unknown id, invalid entry.

    The CLI prints ``str(err)`` on one line and exits with status 2.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = str(self.file)
            if self.line:
                where += f":{self.line}"
            where += ": "
        if self.field:
            where += f"field '{self.field}': "
        # every kind of line break: the message is one line, whatever a file held
        return where + " ".join(self.message.splitlines())


def path_error(exc: OSError) -> ReviewkitError:
    """A path that is missing, a folder, under a file or locked, as one line to act on."""
    what = {IsADirectoryError: "is a folder; expected a file",
            NotADirectoryError: "a part of this path is a file, not a folder",
            FileNotFoundError: "no such file or folder (check the path)",
            PermissionError: "permission denied"}.get(type(exc), exc.strerror or "cannot open")
    return ReviewkitError(what, file=str(exc.filename))


def as_user_error(exc: BaseException) -> ReviewkitError | None:
    """An exception a person can act on, as one line; None for a bug (it keeps its
    traceback): a path named or placed wrongly, or the team server's trouble mid-command."""
    if isinstance(exc, ReviewkitError):
        return exc
    if isinstance(exc, (IsADirectoryError, NotADirectoryError, FileNotFoundError,
                        PermissionError)):
        return path_error(exc) if exc.filename is not None else None
    if isinstance(exc, OSError) and exc.errno in _FULL:  # the disk, not the program
        return ReviewkitError(f"cannot write: {exc.strerror} (free some space or write "
                              "elsewhere)", file=str(exc.filename) if exc.filename else None)
    from reviewkit.team.connect import server_trouble  # psycopg only if already loaded

    return server_trouble(exc)
