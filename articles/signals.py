"""What the core tells the apps built on it, without importing them.

``labels_changed`` is sent by the annotation services, explicitly and after the
change is made inside its transaction, once per write (a bulk write sends it
once per corpus). The review app listens to queue the corpus's background
refresh (gold, assignments, agreement). It is the one place where the core
hands control upward: everything else flows from feature apps down to it.
"""

from __future__ import annotations

from django.dispatch import Signal

# Arguments: corpus_id (int).
labels_changed = Signal()
