"""contact_event.kind gains « agreement »: the caller's collective agreement chosen or cleared
by the agent holding the contact is a step of its timeline

Revision ID: 0018_agreement_event
Revises: 0017_passage_version_index
"""

from __future__ import annotations

from alembic import op

revision = "0018_agreement_event"
down_revision = "0017_passage_version_index"
branch_labels = None
depends_on = None

BEFORE = (
    "created",
    "queued",
    "offered",
    "taken",
    "consulted",
    "noted",
    "qualified",
    "escalated",
    "redirected",
    "returned",
    "released",
    "answered",
    "oriented",
    "connected",
    "transferred",
    "closed",
    "abandoned",
    "ended",
)
AFTER = (*BEFORE[:7], "agreement", *BEFORE[7:])


def _kinds(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _check(kinds: tuple[str, ...]) -> None:
    # SQLite cannot alter a constraint: batch mode copies the table (its rows kept)
    with op.batch_alter_table("contact_event") as batch:
        batch.drop_constraint(op.f("ck_contact_event_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_contact_event_kind"), _kinds(kinds))


def upgrade() -> None:
    _check(AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM contact_event WHERE kind = 'agreement'")
    _check(BEFORE)
