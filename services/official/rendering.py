"""Where official documents are rendered and sealed: in this process, or in a child process of lower priority.

Rendering (WeasyPrint) and sealing (pyHanko) take 0.3–0.5 s of CPU per document and hold the
interpreter's lock most of that time. In a server process that is time taken from every other
request of the same process: its threads wait for the lock at each database round trip. So the
servers hand the work to a child process of their own (`ChildRenderer`): the request's thread
waits for the result without holding the lock, and the child runs at a lower CPU priority, so
that pages and other steps go first when the cores are busy. The step still commits only with
its document: the child's answer, or its failure, comes back inside the step's transaction.

`YIKATONG_DOCUMENT_RENDERER=inline` keeps the work in the server process (for comparisons);
the command line, the demo and the test client always render in their own process.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from threading import Lock, Thread
from time import sleep
from typing import Any, Protocol, TypeVar

from documents import Document, DocumentMeta
from services.context import Services
from services.official.keys import CACHE_KEY as KEYS_CACHE, SealKeys, keys, load_keys, signing_dir

RENDERER_ENV = "YIKATONG_DOCUMENT_RENDERER"
CHILD, INLINE = "child", "inline"
CHILD_NICENESS = 10
TIMEOUT_SECONDS = 120.0
ORPHAN_CHECK_SECONDS = 1.0
_CACHE_KEY = "renderer"
T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """One document to produce: its content, its metadata, when it is issued and what its QR code says."""

    doc: Document
    meta: DocumentMeta
    at: datetime
    verify_url: str


class Renderer(Protocol):
    """Produces the PDF of a job and says whether it is sealed."""

    def produce(self, job: Job) -> tuple[bytes, bool]: ...


def produce_with(seal: SealKeys, job: Job) -> tuple[bytes, bool]:
    """Render *job* and seal it with *seal*'s signer (unsealed when there is none)."""
    import documents

    pdf = documents.render_pdf(job.doc)
    if seal.signer is None:
        return pdf, False
    return documents.sign_pdf(pdf, seal.signer, verify_url=job.verify_url, meta=job.meta, issued_at=job.at), True


@dataclass
class InlineRenderer:
    """Renders in the calling process with the context's keys."""

    ctx: Services

    def produce(self, job: Job) -> tuple[bytes, bool]:
        return produce_with(keys(self.ctx), job)


_CHILD_KEYS: dict[str, SealKeys] = {}


def _start_child(niceness: int) -> None:
    """Run once in the child: lower its CPU priority below the server's, and end with its parent."""
    os.nice(niceness)
    parent = os.getppid()
    Thread(target=_exit_when_orphaned, args=(parent,), name="renderer-parent-watch", daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    """End this process once *parent* has gone (a server process killed outright leaves no renderer behind)."""
    while os.getppid() == parent:
        sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)


def _produce_in_child(folder: str, job: Job) -> tuple[bytes, bool]:
    """Produce *job* with the seal keys the parent would use (loaded once; a broken key raises each time)."""
    if folder not in _CHILD_KEYS:
        _CHILD_KEYS[folder] = load_keys(Path(folder))
    return produce_with(_CHILD_KEYS[folder], job)


def _child_pid() -> int:
    return os.getpid()


class ChildRenderer:
    """One child process, started fresh (spawn), that renders the jobs of this process one at a time.

    A child that died (killed, out of memory) is replaced and the job tried once more; a job that
    takes longer than *timeout* fails, and its child is killed and replaced.
    """

    def __init__(self, folder: Path, niceness: int = CHILD_NICENESS, timeout: float = TIMEOUT_SECONDS) -> None:
        self._folder, self._niceness, self.timeout = str(folder), niceness, timeout
        self._lock = Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_start_child,
                                             initargs=(self._niceness,))
        return self._pool

    def _replace(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):  # a hung child is killed, not awaited
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, function: Callable[..., T], *args: Any) -> T:
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self._executor().submit(function, *args).result(timeout=self.timeout)
                except BrokenProcessPool:
                    self._replace()
                    if attempt == 2:
                        raise RuntimeError("the document renderer process stopped twice") from None
                except FutureTimeout:
                    self._replace()
                    raise RuntimeError(f"the document renderer took longer than {self.timeout:g} s") from None
        raise AssertionError("unreachable")

    def produce(self, job: Job) -> tuple[bytes, bool]:
        return self._run(_produce_in_child, self._folder, job)

    def pid(self) -> int:
        """Return the child's process id, starting it if needed."""
        return self._run(_child_pid)

    def close(self) -> None:
        """Stop the child (it is started again by the next job)."""
        with self._lock:
            self._replace()


def renderer_of(ctx: Services) -> Renderer:
    """Return the renderer this process uses: the child renderer once `use_child_renderer` ran, else inline."""
    found = ctx.seal_cache.get(_CACHE_KEY)
    return found if found is not None else InlineRenderer(ctx)


def renderer_choice(environ: Mapping[str, str] | None = None) -> str:
    """Return YIKATONG_DOCUMENT_RENDERER's choice (child by default); ValueError when it names neither."""
    choice = (environ if environ is not None else os.environ).get(RENDERER_ENV, CHILD).strip().lower()
    if choice not in (CHILD, INLINE):
        raise ValueError(f"{RENDERER_ENV} must be {CHILD!r} or {INLINE!r}, not {choice!r}")
    return choice


def use_child_renderer(ctx: Services, environ: Mapping[str, str] | None = None) -> ChildRenderer | None:
    """Make this process's documents render in a child process, unless YIKATONG_DOCUMENT_RENDERER=inline."""
    if renderer_choice(environ) == INLINE:
        return None
    renderer = ChildRenderer(signing_dir(ctx))
    ctx.seal_cache[_CACHE_KEY] = renderer
    return renderer


def forget_keys(ctx: Services) -> None:
    """Drop the keys this process loaded (and stop its child renderer), after the keys changed."""
    ctx.seal_cache.pop(KEYS_CACHE, None)
    child = ctx.seal_cache.get(_CACHE_KEY)
    if isinstance(child, ChildRenderer):
        child.close()
