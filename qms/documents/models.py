"""Controlled procedures: every loaded version of a procedure file is kept."""
from __future__ import annotations

import json

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class ProcedureRevision(db.Model):
    __tablename__ = "procedure_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))  # procedure code, e.g. QP-INS
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... a new one each time the file changes
    revision: Mapped[str] = mapped_column(String(20))  # revision declared in the front matter
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the file
    meta_json: Mapped[str] = mapped_column(Text)  # parsed front matter
    body: Mapped[str] = mapped_column(Text)  # Markdown body
    loaded_at = mapped_column(UTCDateTime, default=utcnow)  # when loaded into the system

    __table_args__ = (UniqueConstraint("code", "seq"),)

    @property
    def meta(self) -> dict:
        return json.loads(self.meta_json)
