"""Read, parse and check an import's rows in a thread of their own, a chunk ahead of the writes.

Parsing and checking is Python; writing a chunk is mostly waiting on PostgreSQL, which psycopg
does with the GIL released. With the rows parsed in a second thread while the import's own
thread writes the chunk before, a run takes about the longer of the two rather than their sum.

The thread never touches the database: a query from it would run on a connection of its own,
outside the import's transaction, so it is refused. What the thread finds is handed over with
each chunk (its rows, their registration keys, the problems found since the chunk before), and
the import takes a chunk's problems into its report before writing it, in the order a single
thread finds them.
"""

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from django.db import connection
from django.utils import translation

from .formats import ParsedRow, RegisterFormat
from .reading import Table
from .report import ImportReport
from .validation import check_row, report_repeats

# Chunks parsed and waiting while one is written: the thread keeps ahead, and a file's rows
# are held at most three chunks at a time.
CHUNKS_AHEAD = 1
# How often a thread with a chunk to hand over looks whether the import has stopped.
STOP_POLL_SECONDS = 0.1


class DatabaseAccessInParser(RuntimeError):
    """The parser thread tried to query the database, outside the import's transaction."""


@dataclass
class CheckedChunk:
    """Rows parsed and checked, with what reading them (and the rows left out) found."""

    rows: list[ParsedRow]
    # Row number → registration key of every row checked since the chunk before, held-back
    # rows included.
    keys: dict[int, str]
    report: ImportReport
    # Rows read from the file so far, for the progress shown once this chunk is written.
    rows_read: int


@dataclass
class _Done:
    """Every row has been handed over."""


def _refuse_query(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
    raise DatabaseAccessInParser(f"The import's parser thread may not query the database: {sql}")


class CheckedChunks:
    """The file's checked rows, ``size`` at a time, parsed in a thread while the caller writes.

    ``report`` is the one the table and the format record problems in: the thread's alone
    while it runs. Use as a context manager: leaving it stops the thread, whatever happened.
    Rows whose registration key another row also holds are handed over last (see
    ``report_repeats``).
    """

    def __init__(
        self,
        table: Table,
        fmt: RegisterFormat,
        repeated: set[str],
        *,
        report: ImportReport,
        size: int,
    ):
        self.table = table
        self.fmt = fmt
        self.repeated = repeated
        self.report = report
        self.size = size
        # Translations are per thread: messages are made in the language the job runs in.
        self.language = translation.get_language()
        self._fresh_keys: dict[int, str] = {}
        self._queue: queue.Queue[CheckedChunk | _Done | BaseException] = queue.Queue(
            maxsize=CHUNKS_AHEAD
        )
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="import-parser")

    def __enter__(self) -> "CheckedChunks":
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopped.set()
        self._thread.join()

    def __iter__(self) -> Iterator[CheckedChunk]:
        while True:
            item = self._queue.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    # --- the thread -------------------------------------------------------------------

    def _produce(self) -> None:
        try:
            with translation.override(self.language), connection.execute_wrapper(_refuse_query):
                for chunk in self._chunks():
                    if not self._hand_over(chunk):
                        return
            self._hand_over(_Done())
        except BaseException as error:
            self._hand_over(error)
        finally:
            # A refused query may have opened a connection of this thread's own.
            connection.close()

    def _hand_over(self, item: CheckedChunk | _Done | BaseException) -> bool:
        """Queue an item once there is room; False if the import stopped first."""
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=STOP_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    def _chunks(self) -> Iterator[CheckedChunk]:
        """The chunks, the last one (possibly empty) once every row is read."""
        rows: list[ParsedRow] = []
        for parsed in self._checked_rows():
            rows.append(parsed)
            if len(rows) == self.size:
                yield self._chunk(rows)
                rows = []
        yield self._chunk(rows)

    def _chunk(self, rows: list[ParsedRow]) -> CheckedChunk:
        keys, self._fresh_keys = self._fresh_keys, {}
        return CheckedChunk(
            rows=rows, keys=keys, report=self.report.take(), rows_read=self.table.count
        )

    def _checked_rows(self) -> Iterator[ParsedRow]:
        """Parse and check the rows as they are read, recording each one's key.

        A row whose number no other row holds is handed on at once. One whose number appears
        again may be a repeat, an error on every row that holds it, so it waits for the end
        of the file, when its fellows are known.
        """
        fmt, report, repeated = self.fmt, self.report, self.repeated
        waiting: list[ParsedRow] = []
        waiting_keys: dict[int, str] = {}
        for number, cells in self.table.rows:
            parsed = fmt.parse(number, cells)
            if parsed is None:
                continue
            key = check_row(parsed, fmt, report)
            if key is None:
                yield parsed
                continue
            self._fresh_keys[parsed.row] = key
            if key in repeated:
                waiting.append(parsed)
                waiting_keys[parsed.row] = key
            else:
                yield parsed
        report_repeats(waiting, waiting_keys, fmt, report)
        yield from waiting
