"""Who changed what: the history tables (django-simple-history) and who a history row names.

Every audited model carries ``history = AuditedHistory()``. A row names its user from, in order:
1. the user the code says is acting (``acting_as``): a service given its caller, an import, a
   command's ``--user``, or the system user for commands and tasks run without one;
2. the signed-in user of the request (simple-history's middleware keeps the request), or the
   user a bearer token stands for (``request.auth``).

Writes the ORM makes without ``save()`` (``QuerySet.update``, ``bulk_create``, ``bulk_update``)
send no signal: the services that use them call ``record_history`` or simple-history's bulk
helpers, so no write of an audited model goes unrecorded.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import IntegrityError, models, transaction
from simple_history.models import HistoricalRecords

SYSTEM_USERNAME = "system"


@dataclass
class _Actor:
    user: object | None  # None: the system user, looked up once, when the first row needs it
    reason: str

    def resolved(self):
        if self.user is None:
            self.user = system_user()
        return self.user


_actor: ContextVar[_Actor | None] = ContextVar("audit_actor", default=None)
_paused: ContextVar[bool] = ContextVar("audit_paused", default=False)


def system_user():
    """The user that commands and tasks run as when no one is named: inactive, no password, never signs in."""
    User = get_user_model()
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, first_name="system", is_active=False)
        user.set_unusable_password()
        user.skip_history_when_saving = True  # it would name itself
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # another process created it a moment ago
            user = User.objects.get(username=SYSTEM_USERNAME)
    return user


@contextmanager
def acting_as(user, *, reason: str = "") -> Iterator[None]:
    """History rows written inside name ``user`` (a service's caller); with no user, the outer actor stays.

    Without a ``reason`` the outer one carries on (a command's name, an import's number).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        yield
        return
    outer = _actor.get()
    token = _actor.set(_Actor(user, reason or (outer.reason if outer is not None else "")))
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def without_history() -> Iterator[None]:
    """Writes inside leave no history: only for made-up data (the demo), never for a user's or an import's."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


@contextmanager
def acting_as_system(*, reason: str) -> Iterator[None]:
    """History rows written inside name the system user and ``reason`` (which command or task)."""
    token = begin_system_work(reason)
    try:
        yield
    finally:
        end_system_work(token)


def begin_system_work(reason: str) -> Token:
    """For work that starts and ends in two hooks (a Celery task): the same as ``acting_as_system``."""
    return _actor.set(_Actor(None, reason))


def end_system_work(token: Token) -> None:
    _actor.reset(token)


@contextmanager
def command_actor(user, *, command: str) -> Iterator[None]:
    """A management command's writes: in the name of its ``--user`` if given, else of the system user."""
    reason = f"manage.py {command}"
    with acting_as(user, reason=reason) if user is not None else acting_as_system(reason=reason):
        yield


def named_user(username: str | None):
    """The active user a command's ``--user`` names, None without one; an unknown name stops the command."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user is called {username}.")
    return user


def inside_request() -> bool:
    return getattr(HistoricalRecords.context, "request", None) is not None


def _request_user():
    request = getattr(HistoricalRecords.context, "request", None)
    for user in (getattr(request, "user", None), getattr(request, "auth", None)):
        if getattr(user, "is_authenticated", False):
            return user
    return None


def history_user(instance=None, request=None, **kwargs):
    """The user a history row names (see the module's docstring); outside any request, the system user."""
    actor = _actor.get()
    if actor is not None:
        return actor.resolved()
    if inside_request():
        return _request_user()
    return system_user()


def history_reason() -> str:
    actor = _actor.get()
    return actor.reason if actor is not None else ""


class AuditedHistory(HistoricalRecords):
    """simple-history's records with our user rule, the actor's reason, and no row for a save of excluded fields.

    A save that touches only excluded fields (a login writing ``last_login``) is not a change
    anyone audits; every other save is.
    """

    def __init__(self, **kwargs):
        super().__init__(get_user=history_user, **kwargs)

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if _paused.get() or (not created and update_fields and set(update_fields) <= set(self.excluded_fields)):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        if not _paused.get():
            super().post_delete(instance, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not _paused.get():
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)

    def get_change_reason_for_object(self, instance, history_type, using):
        return super().get_change_reason_for_object(instance, history_type, using) or history_reason()


def record_history(objects: Iterable[models.Model], *, created: bool = False) -> None:
    """Write the history rows of objects saved without signals (``QuerySet.update``, ``bulk_create``).

    Pass the objects as they now are in the database (refreshed after an ``update``).
    """
    objects = list(objects)
    if not objects or _paused.get():
        return
    manager = type(objects[0]).history
    manager.bulk_history_create(
        objects, update=not created, default_user=history_user(), default_change_reason=history_reason()
    )
