"""State changes as data (DESIGN §6).

A ``Transition`` says which action moves an object from which states to which state, who
may perform it (a ``can_<verb>(user, obj)`` permission), what the audit row is called and
whom to notify. ``Workflow.apply`` is the one function that performs any of them: it locks
the row, checks the permission and the state, sets the new state, runs the transition's
effect, writes the audit row, and hands the notifications to the transition (which sends
mail and enqueues tasks after the commit). Anything refused raises a ``UserError`` that
says why, so the whole unit of work is rolled back.

Templates ask ``allowed_transitions(obj, user)`` which actions to offer instead of testing
states themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from ecosystem.core.audit import record_audit
from ecosystem.core.errors import UserError
from ecosystem.extensions import db

Permission = Callable[[Any, Any], bool]
Guard = Callable[[Any], "str | None"]  # the refusal message, or None when allowed
UserGuard = Callable[[Any, Any], "str | None"]  # the same, for rules that depend on who acts
Effect = Callable[..., "enum.Enum | None"]  # may compute the state to set
Notify = Callable[[Any, Any, "Transition", dict[str, Any]], None]


@dataclass(frozen=True)
class Transition:
    """One action of a life cycle.

    ``sources`` empty means "from any state"; ``target`` None means the state stays (or the
    effect computes it, e.g. one side's interest introduces both when the other agreed).
    ``audit`` may be a function of the object after the change, when the effect decided what
    happened. ``wrong_state`` and ``forbidden`` replace the generic refusals with the life
    cycle's own words.
    """

    name: str
    sources: frozenset[enum.Enum]
    target: enum.Enum | None
    permission: Permission
    audit: str | Callable[[Any], str]
    label: Any = ""  # a lazy string: the button's text
    guard: Guard | None = None
    effect: Effect | None = None
    notify: Notify | None = None
    style: str = "primary"
    user_guard: UserGuard | None = None
    wrong_state: Any = None
    forbidden: Any = None

    def applies_to(self, state: enum.Enum) -> bool:
        return not self.sources or state in self.sources

    def refusal(self, obj: Any, user: Any) -> str | None:
        """Why the rules beyond state and permission refuse it now, or None."""
        refusal = self.guard(obj) if self.guard else None
        if refusal is None and self.user_guard:
            refusal = self.user_guard(obj, user)
        return refusal

    def audit_action(self, obj: Any) -> str:
        return self.audit(obj) if callable(self.audit) else self.audit


@dataclass
class Workflow:
    """The life cycle of one model: its transitions by name."""

    model: type
    transitions: Iterable[Transition]
    state_attr: str = "state"
    audit_prefix: Callable[[Any], str] | None = None
    by_name: dict[str, Transition] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {t.name: t for t in self.transitions}
        _WORKFLOWS[self.model] = self

    def state_of(self, obj: Any) -> enum.Enum:
        return getattr(obj, self.state_attr)

    def allowed(self, obj: Any, user: Any) -> list[Transition]:
        """The actions ``user`` may perform on ``obj`` now, in the order they were declared."""
        state = self.state_of(obj)
        return [
            t
            for t in self.by_name.values()
            if t.applies_to(state) and t.permission(user, obj) and t.refusal(obj, user) is None
        ]

    def apply(self, obj: Any, name: str, user: Any, **data: Any) -> Transition:
        """Perform transition ``name`` on ``obj`` for ``user``; ``data`` goes to its effect
        and into the audit row."""
        transition = self.by_name.get(name)
        if transition is None:
            raise UserError(_("Thao tác không hợp lệ."), status=400)
        lock_current(obj)
        before = self.state_of(obj)
        # The state first: when a double click or a colleague got there first, the loser's
        # permission (often tied to the state) has gone too, and "it has already changed"
        # is the true answer, not "forbidden". Views only reach here for visible objects.
        if not transition.applies_to(before):
            raise UserError(
                str(
                    transition.wrong_state
                    or _("Không thể thực hiện thao tác này ở trạng thái hiện tại.")
                )
            )
        if not transition.permission(user, obj):
            raise UserError(
                str(transition.forbidden or _("Bạn không có quyền thực hiện thao tác này.")),
                status=403,
            )
        refusal = transition.refusal(obj, user)
        if refusal:
            raise UserError(refusal)
        computed = transition.effect(obj, user, **data) if transition.effect else None
        after = computed or transition.target or before
        setattr(obj, self.state_attr, after)
        db.session.flush()
        prefix = self.audit_prefix(obj) if self.audit_prefix else ""
        audit_data = {k: v for k, v in data.items() if not k.startswith("_")}
        record_audit(
            f"{prefix}{transition.audit_action(obj)}",
            obj,
            actor=user,
            before={"state": before},
            after={"state": after},
            **audit_data,
        )
        if transition.notify:
            transition.notify(obj, user, transition, data)
        return transition


_WORKFLOWS: dict[type, Workflow] = {}


def lock_current(*objs: Any) -> None:
    """Lock the rows of ``objs`` until the end of the transaction and re-read them.

    Two people (or one impatient double click) may act at the same moment: an operation
    calls this before judging state, so the second one waits for the first to commit and
    is then refused on the current state instead of applying on a stale read. Rows are
    locked in one order (by table, then id), so two operations locking the same pair the
    other way round (merging A into B and B into A) cannot deadlock.
    """
    # refresh() re-reads without flushing: what this transaction changed before must be
    # written first, or it would be read over (and lost).
    db.session.flush()
    for obj in sorted(objs, key=lambda o: (type(o).__tablename__, o.id)):
        db.session.refresh(obj, with_for_update=True)


def workflow_for(obj: Any) -> Workflow | None:
    for model in type(obj).__mro__:
        if model in _WORKFLOWS:
            return _WORKFLOWS[model]
    return None


def allowed_transitions(obj: Any, user: Any) -> list[Transition]:
    """For templates: the actions to offer on ``obj``."""
    workflow = workflow_for(obj)
    return workflow.allowed(obj, user) if workflow else []


def allowed_names(obj: Any, user: Any) -> set[str]:
    return {t.name for t in allowed_transitions(obj, user)}


def audit_labels() -> dict[str, Any]:
    """Audit code → the transition's label (a lazy string), for the audit log's readers."""
    return {
        t.audit: t.label
        for workflow in _WORKFLOWS.values()
        for t in workflow.by_name.values()
        if t.label
    }
