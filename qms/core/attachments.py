"""Attachment storage on disk, content-addressed by SHA-256.

Files are checked against an extension allow-list and, for the common binary types, their
magic bytes, so a renamed executable is refused. Downloads are always sent as attachments.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from flask import current_app

MAGIC = {
    "pdf": [b"%PDF-"],
    "png": [b"\x89PNG\r\n\x1a\n"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "gif": [b"GIF87a", b"GIF89a"],
    "xlsx": [b"PK\x03\x04"],
    "docx": [b"PK\x03\x04"],
    "doc": [b"\xd0\xcf\x11\xe0"],
    "xls": [b"\xd0\xcf\x11\xe0"],
}
CONTENT_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "gif": "image/gif", "txt": "text/plain", "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
}


class AttachmentRefused(ValueError):
    """The upload is not acceptable; the message is for the user."""


def safe_filename(name: str) -> str:
    """Keep letters (Chinese included), digits, dot, dash and underscore; drop any path."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._")
    return name[:200] or "file"


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def root() -> Path:
    return Path(current_app.config["QMS_ATTACHMENTS_DIR"])


def path_for(sha: str) -> Path:
    return root() / sha[:2] / sha[2:4] / sha


def store(stream, filename: str, messages: dict) -> tuple[str, int, str, str]:
    """Check and store an upload; return (sha256, size, safe name, content type).

    ``messages`` maps 'empty', 'type', 'content' to translated refusals, so this module stays
    free of request concerns.
    """
    name = safe_filename(filename)
    ext = extension(name)
    if ext not in current_app.config["QMS_UPLOAD_EXTENSIONS"]:
        raise AttachmentRefused(messages["type"])
    digest = hashlib.sha256()
    size = 0
    root().mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=root(), prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            head = b""
            while chunk := stream.read(1024 * 1024):
                if len(head) < 16:
                    head += chunk[:16]
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if size == 0:
            raise AttachmentRefused(messages["empty"])
        if ext in MAGIC and not any(head.startswith(m) for m in MAGIC[ext]):
            raise AttachmentRefused(messages["content"])
        sha = digest.hexdigest()
        dest = path_for(sha)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dest)
        return sha, size, name, CONTENT_TYPES.get(ext, "application/octet-stream")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
