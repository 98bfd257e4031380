"""matching: the term dictionary's admin changes (term_groups)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:20:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('term_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.String(length=100), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('vi', sa.Text(), nullable=False),
    sa.Column('en', sa.Text(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('merged_into', sa.String(length=100), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_term_groups_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term_groups')),
    sa.UniqueConstraint('group_id', name=op.f('uq_term_groups_group_id'))
    )


def downgrade():
    op.drop_table('term_groups')
