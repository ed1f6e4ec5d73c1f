"""People: departments, users, their sessions, login attempts and API tokens."""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class Department(db.Model):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # stable short code, e.g. TDD
    name_zh: Mapped[str] = mapped_column(String(80), unique=True)  # seed term, e.g. 技术发展部
    name_en: Mapped[str] = mapped_column(String(120))  # English name
    active: Mapped[bool] = mapped_column(default=True)  # retired departments stay for history

    def label(self, locale: str) -> str:
        """Name in the given locale."""
        return self.name_en if locale == "en" else self.name_zh

    aliases: Mapped[list[DepartmentAlias]] = relationship(
        back_populates="department", order_by="DepartmentAlias.id", cascade="all, delete-orphan")

    @property
    def alias_names(self) -> list[str]:
        """The other names this department goes by in the procedures (客户服务中心 for 客户服务部)."""
        return [a.name for a in self.aliases]

    @classmethod
    def by_code(cls, code: str | None) -> Department | None:
        """The department with this code; or, failing that, with this Chinese or English name or one
        of its aliases (:meth:`by_name`). None when there is none."""
        if not code:
            return None
        return db.session.execute(db.select(cls).where(cls.code == code)).scalar() or cls.by_name(code)

    @classmethod
    def id_of(cls, code: str | None) -> int | None:
        """The id of :meth:`by_code`'s department (None when there is none)."""
        if not code:
            return None
        found = db.session.execute(db.select(cls.id).where(cls.code == code)).scalar()
        if found is None:
            dept = cls.by_name(code)
            found = dept.id if dept else None
        return found

    @classmethod
    def by_name(cls, name: str | None) -> Department | None:
        """The department called ``name``: its Chinese or English name, or an alias (终端部 is
        终端服务部). Surrounding spaces are ignored. None when no department goes by it."""
        name = (name or "").strip()
        if not name:
            return None
        found = db.session.execute(db.select(cls).where((cls.name_zh == name) | (cls.name_en == name))).scalar()
        if found is None:
            found = db.session.execute(
                db.select(cls).join(DepartmentAlias).where(DepartmentAlias.name == name)).scalar()
        return found


class DepartmentAlias(db.Model):
    """Another name of one department: the same unit named two ways in the procedures (SEEDS-DIGEST
    §5 item 5: 核算班 is 核算室, 客户服务中心 is 客户服务部). One department, never two."""

    __tablename__ = "department_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)  # the department
    name: Mapped[str] = mapped_column(String(80), unique=True)  # the other name, e.g. 客户服务中心

    department: Mapped[Department] = relationship(back_populates="aliases")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)  # never reused: rows are never deleted
    full_name: Mapped[str] = mapped_column(String(120))  # printed name on signatures
    email: Mapped[str | None] = mapped_column(String(200))  # for notifications
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)  # home department
    role: Mapped[str] = mapped_column(String(30))  # one of auth.roles.ROLES
    active: Mapped[bool] = mapped_column(default=True)  # deactivated, never deleted
    password_hash: Mapped[str] = mapped_column(String(300))  # werkzeug scrypt hash
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")  # remembered UI language
    created_at = mapped_column(UTCDateTime, default=utcnow)  # account creation
    deactivated_at = mapped_column(UTCDateTime, nullable=True)  # when deactivated
    calendar_token: Mapped[str | None] = mapped_column(String(64))  # secret iCalendar feed URL (unique index)

    department: Mapped[Department] = relationship(lazy="joined")

    __table_args__ = (Index("ix_users_calendar_token", "calendar_token", unique=True),)

    def set_password(self, password: str) -> None:
        """Hash and store ``password`` with the configured scrypt parameters."""
        self.password_hash = generate_password_hash(
            password, method=current_app.config["QMS_PASSWORD_METHOD"]
        )

    def check_password(self, password: str) -> bool:
        """True if ``password`` matches; constant-time comparison inside werkzeug."""
        return bool(password) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


class UserSession(db.Model):
    """A login on one browser; ending it here ends it on the server (logout, deactivation)."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random id kept in the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # whose session
    created_at = mapped_column(UTCDateTime, default=utcnow)  # login time
    ended_at = mapped_column(UTCDateTime, nullable=True)  # logout/deactivation/idle time
    ip: Mapped[str | None] = mapped_column(String(64))  # client address at login


class LoginAttempt(db.Model):
    """Failed and successful logins, so throttling works across web workers."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60))  # as typed (lowercased)
    ip: Mapped[str | None] = mapped_column(String(64))  # client address
    at = mapped_column(UTCDateTime, default=utcnow)  # when
    success: Mapped[bool] = mapped_column(default=False)  # outcome

    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )


class ApiToken(db.Model):
    """A bearer token for /api/v1; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # acts as this user
    name: Mapped[str] = mapped_column(String(100))  # what it is for
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    created_at = mapped_column(UTCDateTime, default=utcnow)  # issued
    revoked_at = mapped_column(UTCDateTime, nullable=True)  # revoked tokens stop working

    user: Mapped[User] = relationship(lazy="joined")

    @staticmethod
    def digest(token: str) -> str:
        """SHA-256 hex of a token as presented by a client."""
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        """Create a token row; returns it with the clear token (shown once)."""
        clear = "qms_" + secrets.token_urlsafe(32)
        row = cls(user=user, user_id=user.id, name=name, token_hash=cls.digest(clear))
        db.session.add(row)
        return row, clear
