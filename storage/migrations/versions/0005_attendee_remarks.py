"""attendee remarks: dietary needs, access, timing and company staff must act on

Revision ID: 0005_attendee_remarks
Revises: 0004_outbox_recipient
Create Date: 2026-11-29 10:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005_attendee_remarks'
down_revision = '0004_outbox_recipient'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a JSON list per attendee; existing attendees have none
    with op.batch_alter_table('attendee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remarks', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('attendee', schema=None) as batch_op:
        batch_op.drop_column('remarks')
