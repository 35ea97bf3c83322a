"""Peewee models of the attendance register.

All timestamps are naive UTC (``datetime`` without tzinfo) in every engine; the kiosk layer
converts to and from the configured zone. Staff are keyed by their normalised staff ID (trimmed,
upper-cased) so a kiosk and the central database agree on identity without shared sequences.
"""

from __future__ import annotations

import datetime as dt
import uuid

import peewee as pw

from db.database import proxy


def utcnow() -> dt.datetime:
    """Naive UTC now, the form every timestamp column stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_uid() -> str:
    """A fresh global identity (UUID 4 text): the same row carries it in every home and the centre."""
    return str(uuid.uuid4())


def uid_field() -> pw.CharField:
    """The ``uid`` column (migration 0003): nullable only because older rows were given theirs by
    the migration; every insert through the models gets one."""
    return pw.CharField(max_length=36, null=True, unique=True, default=new_uid)


class BaseModel(pw.Model):
    class Meta:
        database = proxy
        legacy_table_names = False


class Department(BaseModel):
    """A department of the office; ``sort_order`` keeps the office's customary order."""

    name = pw.CharField(max_length=100, primary_key=True)
    sort_order = pw.IntegerField(default=0)


class Staff(BaseModel):
    """A member of staff. ``key`` is the normalised staff ID; ``staff_id`` keeps its spelling."""

    key = pw.CharField(max_length=64, primary_key=True)
    staff_id = pw.CharField(max_length=64)
    name = pw.CharField(max_length=100)
    department = pw.ForeignKeyField(
        Department, field="name", column_name="department", backref="staff", on_update="CASCADE"
    )
    title = pw.CharField(max_length=100, default="")
    active = pw.BooleanField(default=True)
    badge_version = pw.IntegerField(default=1)
    updated_at = pw.DateTimeField(default=utcnow, index=True)
    uid = uid_field()
    # the work card (migration 0007): its 32-bit number, however a reader prints it
    # (kiosk.card_numbers); unique among active staff, checked where it is written (db.cards)
    card = pw.BigIntegerField(null=True, index=True)


class StaffGroup(BaseModel):
    """Membership of a named group (中心组, 党员, 后备干部 …)."""

    staff = pw.ForeignKeyField(Staff, backref="group_rows", on_delete="CASCADE")
    name = pw.CharField(max_length=100)

    class Meta:
        indexes = ((("staff", "name"), True), (("name",), False))


class StudySession(BaseModel):
    """A study session. ``start``/``end`` are naive UTC."""

    id = pw.AutoField()
    title = pw.CharField(max_length=200)
    kind = pw.CharField(max_length=32)
    start = pw.DateTimeField(index=True)
    end = pw.DateTimeField()
    location = pw.CharField(max_length=200, default="")
    speaker = pw.CharField(max_length=100, default="")
    credit_hours = pw.FloatField(null=True)
    open_before = pw.IntegerField(default=30)
    late_after = pw.IntegerField(default=5)
    require_signout = pw.BooleanField(default=False)
    updated_at = pw.DateTimeField(default=utcnow, index=True)
    uid = uid_field()
    # a cancelled session is kept (nothing is deleted): it refuses sign-ins and leaves every
    # report; ``cancel_reason`` says why (migration 0006)
    cancelled_at = pw.DateTimeField(null=True)
    # DEFAULT '' in the table too (as migration 0006 adds it), so an INSERT written as SQL — by
    # another process or an older release — works on a new database as on an upgraded one
    cancel_reason = pw.CharField(max_length=500, default="", constraints=[pw.SQL("DEFAULT ''")])


class SessionAudience(BaseModel):
    """One term of a session's audience: ``all``, or a ``dept``/``group``/``staff`` value."""

    session = pw.ForeignKeyField(StudySession, backref="audience", on_delete="CASCADE")
    kind = pw.CharField(max_length=8)
    value = pw.CharField(max_length=100, default="")

    class Meta:
        indexes = ((("session", "kind", "value"), True),)


class Attendance(BaseModel):
    """The register: one row per expected person of a session, plus visitors (列席).

    ``status`` is ``pending``, ``present``, ``late`` or ``excused``; ``absent`` is derived when
    a session has ended with the row still pending. Rows are created for the expected people when
    a session is added (and refreshed while it has not started), so reports are plain aggregates.
    """

    session = pw.ForeignKeyField(StudySession, backref="attendance", on_delete="RESTRICT")
    staff = pw.ForeignKeyField(Staff, backref="attendance", on_update="CASCADE")
    expected = pw.BooleanField(default=True)
    status = pw.CharField(max_length=10, default="pending")
    signed_in_at = pw.DateTimeField(null=True)
    signed_out_at = pw.DateTimeField(null=True)
    early_leave = pw.BooleanField(default=False)
    method = pw.CharField(max_length=10, null=True)
    kiosk_id = pw.CharField(max_length=64, null=True)
    event_id = pw.CharField(max_length=36, null=True)

    class Meta:
        indexes = ((("session", "staff"), True),)


class SignInEvent(BaseModel):
    """The append-only log of every attempt and every host action.

    ``id`` is a UUID so events from many kiosks merge at the centre without collisions;
    ``pushed_at`` marks local events the centre has acknowledged; ``received_at`` is set by the
    centre when it stores a pushed event.
    """

    id = pw.CharField(max_length=36, primary_key=True)
    seq = pw.BigIntegerField(index=True)
    kiosk_id = pw.CharField(max_length=64)
    at = pw.DateTimeField(index=True)
    method = pw.CharField(max_length=10)
    result = pw.CharField(max_length=16)
    reason = pw.CharField(max_length=32, default="")
    staff_key = pw.CharField(max_length=64, null=True, index=True)
    session_id = pw.IntegerField(null=True, index=True)
    input = pw.CharField(max_length=300, default="")
    note = pw.CharField(max_length=500, default="")
    actor = pw.CharField(max_length=64, default="")
    pushed_at = pw.DateTimeField(null=True, index=True)
    received_at = pw.DateTimeField(null=True)
    # the version printed on the badge a QR/camera sign-in used (migration 0002): lets the centre
    # flag a scan of a badge it had already revoked before the scan's time
    badge_version = pw.IntegerField(null=True)
    # the global identity of the session it was scanned for (migration 0003): the centre
    # attributes the event by it, never by ``session_id``, which is this database's own number
    session_uid = pw.CharField(max_length=36, null=True, index=True)
    # the database role that delivered the event to a server centre, stamped there by a trigger
    # (migration 0008) whatever the sender wrote: a stolen door's events are found by it
    received_by = pw.CharField(max_length=128, null=True)


class Leave(BaseModel):
    """A leave (请假) recorded for an expected person; kept even if they later sign in."""

    session = pw.ForeignKeyField(StudySession, backref="leaves", on_delete="RESTRICT")
    staff = pw.ForeignKeyField(Staff, backref="leaves", on_update="CASCADE")
    reason = pw.CharField(max_length=500)
    recorded_at = pw.DateTimeField(default=utcnow)
    recorded_by = pw.CharField(max_length=64, default="")
    event_id = pw.CharField(max_length=36, null=True)
    uid = uid_field()
    # a leave recorded by mistake is withdrawn, never deleted (migration 0006)
    withdrawn_at = pw.DateTimeField(null=True)
    withdrawn_by = pw.CharField(max_length=64, default="", constraints=[pw.SQL("DEFAULT ''")])

    class Meta:
        indexes = ((("session", "staff"), True),)


class Credit(BaseModel):
    """Study credited outside the sessions (学时/成果登记): an article, self-study, training, a
    study trip. ``uid`` is its identity in every home and at the centre (sync); ``hours`` may be
    null for an article counted as an article only. ``date`` is the local calendar day."""

    id = pw.AutoField()
    uid = pw.CharField(max_length=36, unique=True)
    staff = pw.ForeignKeyField(Staff, backref="credits", on_update="CASCADE")
    kind = pw.CharField(max_length=16)
    title = pw.CharField(max_length=200)
    date = pw.DateField()
    hours = pw.FloatField(null=True)
    recorded_at = pw.DateTimeField(default=utcnow)
    recorded_by = pw.CharField(max_length=64, default="")
    event_id = pw.CharField(max_length=36, null=True)
    updated_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("staff", "date"), False),)


class Setting(BaseModel):
    """Office-wide settings that travel with the database (e.g. the badge verify key)."""

    key = pw.CharField(max_length=64, primary_key=True)
    value = pw.TextField()


class SchemaVersion(BaseModel):
    """Which numbered migrations have been applied."""

    version = pw.IntegerField(primary_key=True)
    name = pw.CharField(max_length=100)
    applied_at = pw.DateTimeField(default=utcnow)


ALL_MODELS: list[type[BaseModel]] = [
    Department,
    Staff,
    StaffGroup,
    StudySession,
    SessionAudience,
    Attendance,
    SignInEvent,
    Leave,
    Setting,
    Credit,
]
