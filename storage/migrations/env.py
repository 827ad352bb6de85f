"""Alembic environment: runs on the connection mailbot hands it."""

from alembic import context
from sqlmodel import SQLModel

import mailbot.db  # noqa: F401  (registers the tables on SQLModel.metadata)
from mailbot import failpoints

connection = context.config.attributes.get("connection")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    # the crash tests kill the process here: after a revision's DDL, before the commit
    on_version_apply=lambda **_: failpoints.hit("during-migration"),
)
with context.begin_transaction():
    context.run_migrations()
