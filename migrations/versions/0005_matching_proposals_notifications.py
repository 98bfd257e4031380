"""matching: proposals; notifications

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 08:21:28.695090

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('source_org_id', sa.Integer(), nullable=False),
    sa.Column('target_org_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('text_score', sa.Double(), nullable=False),
    sa.Column('facet_multiplier', sa.Double(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('proposed', 'interested', 'introduced', 'deal_reported', 'dismissed', name='matchstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_interested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('target_interested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dismissed_by', sa.Enum('source', 'target', name='match_side', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('introduced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deal_type', sa.Enum('licence', 'joint_research', 'service_contract', 'technology_transfer', 'investment', 'other', name='contracttype', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('deal_value', sa.BigInteger(), nullable=True),
    sa.Column('deal_date', sa.Date(), nullable=True),
    sa.Column('deal_reported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state != 'deal_reported' OR deal_type IS NOT NULL", name=op.f('ck_matches_deal_has_type')),
    sa.CheckConstraint("state != 'introduced' OR (source_interested_at IS NOT NULL AND target_interested_at IS NOT NULL)", name=op.f('ck_matches_introduced_needs_both')),
    sa.CheckConstraint('deal_value IS NULL OR deal_value >= 0', name=op.f('ck_matches_deal_value_positive')),
    sa.ForeignKeyConstraint(['deal_reported_by_id'], ['users.id'], name=op.f('fk_matches_deal_reported_by_id_users')),
    sa.ForeignKeyConstraint(['source_org_id'], ['organisations.id'], name=op.f('fk_matches_source_org_id_organisations')),
    sa.ForeignKeyConstraint(['target_org_id'], ['organisations.id'], name=op.f('fk_matches_target_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches')),
    sa.UniqueConstraint('source_kind', 'source_id', 'target_kind', 'target_id', name='match_pair')
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index('ix_matches_source', ['source_kind', 'source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_source_org_id'), ['source_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_state'), ['state'], unique=False)
        batch_op.create_index('ix_matches_target', ['target_kind', 'target_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_target_org_id'), ['target_org_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))

    op.drop_table('notifications')
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matches_target_org_id'))
        batch_op.drop_index('ix_matches_target')
        batch_op.drop_index(batch_op.f('ix_matches_state'))
        batch_op.drop_index(batch_op.f('ix_matches_source_org_id'))
        batch_op.drop_index('ix_matches_source')

    op.drop_table('matches')
