"""Controlled procedures from ``procedures/*.md``: a changed file becomes a new revision.

Old revisions stay in ``procedure_revisions`` and remain readable in the app.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import markdown
import yaml
from markupsafe import Markup
from sqlalchemy import select

from ..core.timeutil import today as local_today
from ..extensions import db
from .models import ProcedureRevision


class ProcedureError(ValueError):
    """A procedure file that cannot be loaded."""


REQUIRED = ("code", "revision", "effective_date", "iso_clauses", "owner_department", "title", "forms", "steps")


@dataclass
class Procedure:
    id: int
    code: str
    seq: int
    revision: str
    meta: dict
    body: str
    loaded_at: object

    @property
    def title(self) -> dict:
        return self.meta["title"]

    def body_html(self) -> Markup:
        # Procedure files are controlled documents under version control: their Markdown is trusted.
        return Markup(markdown.markdown(self.body, extensions=["tables"], output_format="html"))


def parse(text: str, source: str) -> tuple[dict, str]:
    """Split and check front matter; returns (meta, markdown body)."""
    if not text.startswith("---"):
        raise ProcedureError(f"{source}: must start with '---' front matter")
    _, fm, body = text.split("---", 2)
    meta = yaml.safe_load(fm)
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise ProcedureError(f"{source}: front matter lacks {missing}")
    if isinstance(meta["effective_date"], date):
        meta["effective_date"] = meta["effective_date"].isoformat()
    return meta, body.strip()


def sync(folder: str | Path) -> list[str]:
    """Load every procedure file; store a new revision when its content changed."""
    messages = []
    for path in sorted(Path(folder).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        meta, body = parse(text, path.name)
        digest = hashlib.sha256(text.encode()).hexdigest()
        latest = db.session.execute(
            select(ProcedureRevision).where(ProcedureRevision.code == meta["code"])
            .order_by(ProcedureRevision.seq.desc()).limit(1)).scalar()
        if latest and latest.content_hash == digest:
            continue
        seq = latest.seq + 1 if latest else 1
        db.session.add(ProcedureRevision(code=meta["code"], seq=seq, revision=str(meta["revision"]),
                                         content_hash=digest, body=body,
                                         meta_json=json.dumps(meta, ensure_ascii=False, default=str)))
        messages.append(f"procedure {meta['code']} revision {meta['revision']} (load #{seq})")
    db.session.flush()
    _cache["at"] = 0.0
    return messages


_cache: dict = {"at": 0.0, "latest": {}}


def _to_doc(row: ProcedureRevision) -> Procedure:
    return Procedure(id=row.id, code=row.code, seq=row.seq, revision=row.revision, meta=row.meta,
                     body=row.body, loaded_at=row.loaded_at)


def in_force(revs: list[Procedure], today=None) -> Procedure:
    """The revision in force: the newest whose effective date has come (a revision loaded ahead
    of its effective date waits; the one before stays current)."""
    day = (today or local_today()).isoformat()
    for r in revs:  # newest first
        if str(r.meta.get("effective_date", "")) <= day:
            return r
    return revs[-1]


def current_all() -> list[Procedure]:
    """The revision in force of every procedure (cached for 30 s)."""
    if time.monotonic() - _cache["at"] > 30:
        rows = db.session.execute(select(ProcedureRevision).order_by(
            ProcedureRevision.code, ProcedureRevision.seq.desc())).scalars().all()
        by_code: dict[str, list[Procedure]] = {}
        for r in rows:
            by_code.setdefault(r.code, []).append(_to_doc(r))
        _cache["latest"] = {code: in_force(revs) for code, revs in by_code.items()}
        _cache["at"] = time.monotonic()
    return list(_cache["latest"].values())


def current(code: str) -> Procedure | None:
    current_all()
    return _cache["latest"].get(code)


def revisions(code: str) -> list[Procedure]:
    rows = db.session.execute(select(ProcedureRevision).where(ProcedureRevision.code == code)
                              .order_by(ProcedureRevision.seq.desc())).scalars().all()
    return [_to_doc(r) for r in rows]


def reset_cache() -> None:
    _cache.update({"at": 0.0, "latest": {}})
