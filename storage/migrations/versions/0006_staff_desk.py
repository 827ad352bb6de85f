"""staff desk: staff accounts, login attempts, arrival, organisation, who changed what

Revision ID: 0006_staff_desk
Revises: 0005_attendee_remarks
Create Date: 2026-12-07 19:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006_staff_desk'
down_revision = '0005_attendee_remarks'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'staff_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', S(), nullable=False),
        sa.Column('password_hash', S(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_staff_account_name', 'staff_account', ['name'], unique=True)
    op.create_table(
        'login_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', S(), nullable=False),
        sa.Column('client', S(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_login_attempt_at', 'login_attempt', ['at'])
    with op.batch_alter_table('attendee', schema=None) as b:
        b.add_column(sa.Column('organisation', S(), nullable=True))
        b.add_column(sa.Column('registered_via', S(), nullable=False, server_default='mail'))
        b.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))
        b.add_column(sa.Column('arrived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        b.add_column(sa.Column('arrived_by', S(), nullable=True))
    with op.batch_alter_table('history', schema=None) as b:
        b.add_column(sa.Column('actor', S(), nullable=True))
    with op.batch_alter_table('review_item', schema=None) as b:
        b.add_column(sa.Column('note', S(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('review_item', schema=None) as b:
        b.drop_column('note')
    with op.batch_alter_table('history', schema=None) as b:
        b.drop_column('actor')
    with op.batch_alter_table('attendee', schema=None) as b:
        for c in ('arrived_by', 'arrived_at', 'version', 'registered_via', 'organisation'):
            b.drop_column(c)
    op.drop_index('ix_login_attempt_at', table_name='login_attempt')
    op.drop_table('login_attempt')
    op.drop_index('ix_staff_account_name', table_name='staff_account')
    op.drop_table('staff_account')
