"""dashboard: steering tasks, progress reports, status history, indicator targets, S&T budget; the secretariat role

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:28:15.502673

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


ROLES_BEFORE = ('admin', 'fund_manager', 'reviewer', 'lab_manager', 'steering')
ROLES_AFTER = (*ROLES_BEFORE, 'secretariat')


def _roles(values):
    return sa.Enum(*values, name='platformrole', native_enum=False, create_constraint=True, length=32)


def _set_roles(values):
    # The role column's CHECK constraint lists the roles: re-created with the new list.
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_roles_platformrole'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_user_roles_platformrole'), sa.column('role').in_(values)
        )


def upgrade():
    _set_roles(ROLES_AFTER)
    op.create_table('indicator_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_indicator_targets_value_not_negative')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_indicator_targets_year_range')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_indicator_targets_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_targets')),
    sa.UniqueConstraint('indicator', 'year', name='indicator_year')
    )
    op.create_table('st_budget_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('st_spending', sa.BigInteger(), nullable=False),
    sa.Column('total_spending', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('st_spending >= 0 AND st_spending <= total_spending', name=op.f('ck_st_budget_figures_share_at_most_all')),
    sa.CheckConstraint('total_spending > 0', name=op.f('ck_st_budget_figures_total_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_st_budget_figures_year_range')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_st_budget_figures_entered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_st_budget_figures')),
    sa.UniqueConstraint('year', name=op.f('uq_st_budget_figures_year'))
    )
    op.create_table('steering_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('source', sa.Enum('resolution_57', 'plan_02', 'conclusion', name='tasksource', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_ref', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('kind', sa.Enum('one_off', 'recurring', name='taskkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', 'recurring', name='taskstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind = 'recurring' OR deadline IS NOT NULL", name=op.f('ck_steering_tasks_one_off_deadline')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_steering_tasks_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_tasks')),
    sa.UniqueConstraint('code', name=op.f('uq_steering_tasks_code'))
    )
    with op.batch_alter_table('steering_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steering_tasks_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_steering_tasks_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_steering_tasks_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_steering_tasks_unit'), ['unit'], unique=False)

    op.create_table('steering_task_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', 'recurring', name='report_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('evidence_ref', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_steering_task_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['steering_tasks.id'], name=op.f('fk_steering_task_reports_task_id_steering_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_task_reports'))
    )
    with op.batch_alter_table('steering_task_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steering_task_reports_task_id'), ['task_id'], unique=False)

    op.create_table('steering_task_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('not_started', 'in_progress', 'done', 'recurring', name='change_from', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('to_status', sa.Enum('not_started', 'in_progress', 'done', 'recurring', name='change_to', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_steering_task_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['steering_task_reports.id'], name=op.f('fk_steering_task_changes_report_id_steering_task_reports')),
    sa.ForeignKeyConstraint(['task_id'], ['steering_tasks.id'], name=op.f('fk_steering_task_changes_task_id_steering_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_task_changes'))
    )
    with op.batch_alter_table('steering_task_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steering_task_changes_task_id'), ['task_id'], unique=False)

    op.create_table('steering_task_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['steering_task_reports.id'], name=op.f('fk_steering_task_evidence_report_id_steering_task_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_task_evidence')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_steering_task_evidence_storage_key'))
    )
    with op.batch_alter_table('steering_task_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steering_task_evidence_report_id'), ['report_id'], unique=False)

    op.create_table('steering_task_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('valid_rows', sa.JSON(), nullable=False),
    sa.Column('rejected_rows', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('ready', 'applied', 'cancelled')", name=op.f('ck_steering_task_imports_state')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_steering_task_imports_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_task_imports'))
    )
    with op.batch_alter_table('steering_task_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steering_task_imports_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    op.execute("DELETE FROM user_roles WHERE role = 'secretariat'")
    _set_roles(ROLES_BEFORE)
    with op.batch_alter_table('steering_task_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steering_task_imports_created_by_id'))
    op.drop_table('steering_task_imports')
    with op.batch_alter_table('steering_task_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steering_task_evidence_report_id'))

    op.drop_table('steering_task_evidence')
    with op.batch_alter_table('steering_task_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steering_task_changes_task_id'))

    op.drop_table('steering_task_changes')
    with op.batch_alter_table('steering_task_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steering_task_reports_task_id'))

    op.drop_table('steering_task_reports')
    with op.batch_alter_table('steering_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steering_tasks_unit'))
        batch_op.drop_index(batch_op.f('ix_steering_tasks_status'))
        batch_op.drop_index(batch_op.f('ix_steering_tasks_source'))
        batch_op.drop_index(batch_op.f('ix_steering_tasks_deadline'))

    op.drop_table('steering_tasks')
    op.drop_table('st_budget_figures')
    op.drop_table('indicator_targets')
