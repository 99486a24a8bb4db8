"""The filesystem broker of the embedded default, with every message written whole.

kombu's filesystem transport creates a message's file under its final name and
then writes into it. A worker that lists the folder in between takes the file
while it is still empty, cannot read a message from it, and the message is
lost: the article it named stays pending until the reconcile sweep queues it
again. Here a message is written under a name no queue takes (``.partial``
after it) and renamed into place once complete, so a worker finds a message
whole or not at all. ``register_filesystem_transport`` (called where the Celery
app is made) makes ``filesystem://`` name this transport; other URLs keep theirs.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

PARTIAL = ".partial"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put ``payload`` onto ``queue``: written aside, then renamed into the queue."""
        # The name kombu gives a message: its time first, so the folder sorts in order.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL
        try:
            with open(partial, "wb", buffering=0) as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def register_filesystem_transport() -> None:
    """Make ``filesystem://`` broker URLs use this module's transport, in this process."""
    TRANSPORT_ALIASES["filesystem"] = f"{__name__}:Transport"
