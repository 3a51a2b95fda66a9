"""Watch streams: ``?watch=true`` as chunked JSON lines, with Kubernetes semantics.

What clients rely on, and this module does:

* no resourceVersion (or "0"): the current objects as ADDED events, then
  changes; ``sendInitialEvents=true`` does the same and ends the initial
  part with a BOOKMARK annotated ``k8s.io/initial-events-end``;
* a resourceVersion: every change after it, replayed from the cluster's
  event history, then live ones; a version older than the history yields
  an ERROR event carrying a 410 Expired Status (clients then relist);
* label, field and namespace filters, with the transitions kube-apiserver
  makes: an object that starts matching arrives as ADDED, one that stops
  matching as DELETED;
* BOOKMARK events (with ``allowWatchBookmarks``) when the stream is idle,
  carrying a resourceVersion the client may resume from;
* ``timeoutSeconds``, or a random 30-60 minute lifetime as kube-apiserver.

The watcher is registered in the same synchronous step that reads the
initial state or history, so no event falls between them.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Final

from aiohttp import web

from membersim import errors, tables
from membersim.registry import ListOptions, Registry, matches
from membersim.resources import ResourceType
from membersim.store import Event, StoredObject, Watcher, encode

log = logging.getLogger(__name__)

INITIAL_EVENTS_END: Final = "k8s.io/initial-events-end"


@dataclass(frozen=True, slots=True)
class WatchOptions:
    """The watch-specific query parameters."""

    resource_version: str = ""
    bookmarks: bool = False
    send_initial_events: bool = False
    timeout: float | None = None
    table: bool = False
    include_object: str = ""


def _line(kind: str, raw: bytes) -> bytes:
    return b'{"type":"' + kind.encode() + b'","object":' + raw + b"}\n"


class _Stream:
    """Filters store events for one watch request and encodes them."""

    def __init__(
        self,
        registry: Registry,
        rtype: ResourceType,
        namespace: str | None,
        opts: ListOptions,
        wopts: WatchOptions,
    ) -> None:
        self.registry = registry
        self.rtype = rtype
        self.namespace = namespace
        self.opts = opts
        self.wopts = wopts

    def _matches(self, stored: StoredObject | None) -> bool:
        if stored is None:
            return False
        if self.namespace is not None and stored.namespace != self.namespace:
            return False
        return matches(stored, self.opts)

    def encode(self, kind: str, stored: StoredObject) -> bytes:
        if self.wopts.table:
            raw = tables.table(
                self.rtype,
                [stored],
                resource_version=stored.resource_version,
                include=self.wopts.include_object,
            )
        else:
            raw = self.registry.present(self.rtype, stored)
        return _line(kind, raw)

    def translate(self, event: Event) -> bytes | None:
        """The line to send for a store event, or None if the watch does not see it."""
        now = self._matches(event.object) if event.type != "DELETED" else False
        before = self._matches(event.previous)
        if event.type == "ADDED":
            return self.encode("ADDED", event.object) if now else None
        if event.type == "DELETED":
            return self.encode("DELETED", event.object) if before else None
        if now and before:
            return self.encode("MODIFIED", event.object)
        if now:
            return self.encode("ADDED", event.object)
        if before:
            return self.encode("DELETED", event.object)
        return None

    def bookmark(self, resource_version: int, *, initial_end: bool = False) -> bytes:
        meta: dict[str, object] = {"resourceVersion": str(resource_version)}
        if initial_end:
            meta["annotations"] = {INITIAL_EVENTS_END: "true"}
        return _line(
            "BOOKMARK",
            encode(
                {"kind": self.rtype.kind, "apiVersion": self.rtype.api_version, "metadata": meta}
            ),
        )


def _start(stream: _Stream, wopts: WatchOptions, since: int | None) -> tuple[list[bytes], Watcher]:
    """The initial lines to send, and a watcher registered for what follows them.

    Synchronous, so that nothing is committed between reading and registering.

    Raises:
        ApiError: 410 or 504 for a resourceVersion outside the history.
    """
    store = stream.registry.store
    key = stream.rtype.key
    lines: list[bytes] = []
    if since is None:
        for stored in store.list_objects(key, stream.namespace):
            if stream._matches(stored):
                lines.append(stream.encode("ADDED", stored))
        if wopts.send_initial_events and wopts.bookmarks:
            lines.append(stream.bookmark(store.resource_version, initial_end=True))
    else:
        for event in store.events_since(key, since):
            if (line := stream.translate(event)) is not None:
                lines.append(line)
    return lines, store.watch(key)


def _since(wopts: WatchOptions) -> int | None:
    """The version to replay from; None to start from the current state."""
    if wopts.resource_version in ("", "0") or wopts.send_initial_events:
        return None
    try:
        return int(wopts.resource_version)
    except ValueError:
        raise errors.bad_request(f"invalid resource version: {wopts.resource_version!r}") from None


async def serve(
    request: web.Request,
    registry: Registry,
    rtype: ResourceType,
    *,
    namespace: str | None,
    opts: ListOptions,
    wopts: WatchOptions,
    bookmark_interval: float,
) -> web.StreamResponse:
    """Stream a watch until its timeout, the client leaving, or the store dropping it.

    Raises:
        ApiError: 400 for a malformed resourceVersion (before anything is sent).
    """
    since = _since(wopts)
    stream = _Stream(registry, rtype, namespace, opts, wopts)
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    try:
        lines, watcher = _start(stream, wopts, since)
    except errors.ApiError as err:
        await response.prepare(request)
        await response.write(_line("ERROR", encode(err.status())))
        await response.write_eof()
        return response
    lifetime = wopts.timeout if wopts.timeout is not None else random.uniform(1800.0, 3600.0)
    deadline = time.monotonic() + lifetime
    try:
        await response.prepare(request)
        if lines:
            await response.write(b"".join(lines))
        while (remaining := deadline - time.monotonic()) > 0:
            wait = min(remaining, bookmark_interval) if wopts.bookmarks else remaining
            try:
                event = await watcher.next(timeout=wait)
            except TimeoutError:
                if wopts.bookmarks and time.monotonic() < deadline:
                    # The queue is empty, so every committed event has been seen.
                    await response.write(stream.bookmark(registry.store.resource_version))
                continue
            if event is None:
                break
            if (line := stream.translate(event)) is not None:
                await response.write(line)
        await response.write_eof()
    except ConnectionError:
        log.debug("Watch client went away", extra={"resource": rtype.plural})
    finally:
        watcher.close()
    return response
