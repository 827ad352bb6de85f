"""waiting list

Revision ID: 0003_waitlist
Revises: 0002
Create Date: 2026-11-28 17:34:23.857149
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003_waitlist'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attendee_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlisted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('attendee_session', schema=None) as batch_op:
        batch_op.drop_column('created_at')
        batch_op.drop_column('waitlisted')

