"""outbox recipients: the daily reply limit per address by index

Revision ID: 0004_outbox_recipient
Revises: 0003_waitlist
Create Date: 2026-11-28 20:10:00
"""
import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004_outbox_recipient'
down_revision = '0003_waitlist'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox.message_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_recipient', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_recipient_address_created_at', ['address', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_recipient_outbox_message_id'), ['outbox_message_id'], unique=False)

    # recipients of the mail queued so far
    conn = op.get_bind()
    outbox = sa.table('outbox', sa.column('message_id', sa.String()), sa.column('to', sa.String()),
                      sa.column('kind', sa.String()), sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    recipient = sa.table('outbox_recipient', sa.column('outbox_message_id', sa.String()), sa.column('address', sa.String()),
                         sa.column('kind', sa.String()), sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    rows = [{"outbox_message_id": r.message_id, "address": addr.lower(), "kind": r.kind, "created_at": r.created_at}
            for r in conn.execute(sa.select(outbox.c.message_id, outbox.c.to, outbox.c.kind, outbox.c.created_at))
            for addr in json.loads(r.to or "[]")]
    if rows:
        op.bulk_insert(recipient, rows)


def downgrade() -> None:
    with op.batch_alter_table('outbox_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_recipient_outbox_message_id'))
        batch_op.drop_index('ix_outbox_recipient_address_created_at')

    op.drop_table('outbox_recipient')
