"""What the registry announces. Matching, workflow and the dashboard listen; the registry
never imports them.

Receivers are called inside the transaction that made the change: they may add rows, and
they enqueue background work with ``enqueue_after_commit`` so it runs only if it commits.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the kind ("organisation", "person", "group", "result", "need", "startup",
# "investor"); keyword arguments: obj, substantial (bool: the text or facets changed).
record_saved = _signals.signal("registry.record-saved")
# sender: the kind; keyword arguments: obj.
record_archived = _signals.signal("registry.record-archived")
# sender: the kind; keyword arguments: survivor, merged (the record merged into survivor).
records_merged = _signals.signal("registry.records-merged")
