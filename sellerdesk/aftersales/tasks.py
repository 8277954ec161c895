"""The after-sales tasks, under the path the queue has stored them by since the first release.

They are defined with the deadline engine that owns them (actions/deadlines.py); rows queued
before the move name this module, so it keeps the names."""

from .actions.deadlines import evidence_due_soon, fire_deadline, schedule_deadline, sweep_deadlines

__all__ = ["evidence_due_soon", "fire_deadline", "schedule_deadline", "sweep_deadlines"]
