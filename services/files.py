"""Uploaded documents: checked by content, stored once by sha256, shown only to those who may."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import filetype
from sqlalchemy import Connection, func, insert, select

from models.tables import document, file_upload, process_instance, stored_file
from services.clock import to_db
from services.context import Services
from services import audit
from services.errors import Hidden, NotFound, ValidationError
from services.users import Actor, require_writer
from services.visibility import visible_instances

MAX_FILE_BYTES = 20 * 1024 * 1024
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def clean_filename(name: str) -> str:
    """Return a display-safe file name: no folders, no control characters, at most 200 characters."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return base[-200:] or "file"


def sniff(content: bytes) -> tuple[str, str]:
    """Return (extension, MIME type) of *content*, judged by its bytes; refuse other kinds."""
    kind = filetype.guess(content)
    if kind is None or kind.extension not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        raise ValidationError(f"Only these kinds of file may be uploaded: {allowed}.")
    return kind.extension, ALLOWED_TYPES[kind.extension]


def path_of(ctx: Services, digest: str) -> Path:
    """Return where the file with *digest* is kept."""
    return ctx.files_dir / digest[:2] / digest


def _write(ctx: Services, digest: str, content: bytes) -> None:
    target = path_of(ctx, digest)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, target)


def store_file(ctx: Services, actor: Actor | None, filename: str, content: bytes) -> dict[str, Any]:
    """Check and store an upload; return its sha256, name, type and size."""
    require_writer(actor)
    if not content:
        raise ValidationError("The file is empty.")
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB.")
    _ext, content_type = sniff(content)
    digest = hashlib.sha256(content).hexdigest()
    name = clean_filename(filename)
    _write(ctx, digest, content)
    now, user_id = to_db(ctx.clock.now()), actor.id if actor else None
    with ctx.db.write() as conn:
        known = conn.execute(select(stored_file.c.sha256).where(stored_file.c.sha256 == digest)).first()
        if known is None:
            conn.execute(insert(stored_file).values(
                sha256=digest, filename=name, content_type=content_type, size=len(content),
                created_at=now, created_by=user_id))
        conn.execute(insert(file_upload).values(sha256=digest, user_id=user_id, filename=name, created_at=now))
    return {"sha256": digest, "filename": name, "content_type": content_type, "size": len(content)}


def store_generated(ctx: Services, conn: Connection, filename: str, content: bytes, content_type: str,
                    user_id: int | None) -> str:
    """Keep a file the system made (an issued document) inside the caller's transaction; return its sha256.

    The bytes are written first under their hash (a rolled-back transaction leaves an unused file,
    never a row without its file).
    """
    digest = hashlib.sha256(content).hexdigest()
    _write(ctx, digest, content)
    known = conn.execute(select(stored_file.c.sha256).where(stored_file.c.sha256 == digest)).first()
    if known is None:
        conn.execute(insert(stored_file).values(
            sha256=digest, filename=clean_filename(filename), content_type=content_type, size=len(content),
            created_at=to_db(ctx.clock.now()), created_by=user_id))
    return digest


def usable(conn: Connection, actor: Actor, digests: Iterable[str]) -> dict[str, str]:
    """Return {sha256: file name} of the files *actor* uploaded or may see in a project, among *digests*."""
    wanted = {d for d in digests if isinstance(d, str) and SHA256_RE.match(d)}
    if not wanted:
        return {}
    own = conn.execute(select(file_upload.c.sha256, file_upload.c.filename).where(
        file_upload.c.sha256.in_(wanted), file_upload.c.user_id == actor.id).order_by(file_upload.c.id))
    seen = conn.execute(select(document.c.sha256, func.coalesce(document.c.filename, stored_file.c.filename))
                        .join(stored_file, stored_file.c.sha256 == document.c.sha256)
                        .join(process_instance, process_instance.c.id == document.c.instance_id)
                        .where(document.c.sha256.in_(wanted), visible_instances(actor)).order_by(document.c.id))
    names = {digest: name for digest, name in seen}
    names.update({digest: name for digest, name in own})
    return names


@audit.audit_denials
def open_file(ctx: Services, actor: Actor, digest: str) -> dict[str, Any]:
    """Return a stored file's metadata and path if *actor* may see a project it belongs to."""
    if not SHA256_RE.match(digest):
        raise NotFound("no such file")
    with ctx.db.read() as conn:
        row = conn.execute(select(stored_file).where(stored_file.c.sha256 == digest)).first()
        names = usable(conn, actor, [digest]) if row is not None else {}
    if row is None:
        raise NotFound("no such file")
    if digest not in names:
        raise Hidden("file", digest)
    return {"sha256": digest, "filename": names[digest], "content_type": row.content_type,
            "size": row.size, "path": path_of(ctx, digest)}
