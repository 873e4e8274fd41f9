"""Sending a short notice to a citizen who left an email with a written question.

`Notifier` is the interface; `SpoolNotifier` (the default) drops each notice as an RFC 5322
file in `<home>/outbox/` (mode 0600) for the host's mail system to send, the way a mail spool
works; `MemoryNotifier` keeps them in a list (tests, the day replay). Notices never go to logs.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

SENDER = "Allo <ne-pas-repondre@allo.invalid>"


class Notifier(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass
class SpoolNotifier:
    directory: Path

    def send(self, to: str, subject: str, body: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        message = EmailMessage()
        message["From"] = SENDER
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        name = self.directory / f"{uuid.uuid4().hex}.eml"
        tmp = name.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        tmp.rename(name)  # the mail system only ever sees complete files


@dataclass
class MemoryNotifier:
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))
