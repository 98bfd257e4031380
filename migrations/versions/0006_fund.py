"""fund: calls, applications, reviews, decisions, awards, milestones, disbursements, risk ledger

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 19:08:44.873868

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fund_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('charter_capital', sa.BigInteger(), nullable=False),
    sa.Column('state_budget_capital', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('charter_capital > 0', name=op.f('ck_fund_cycles_capital_positive')),
    sa.CheckConstraint('starts_on < ends_on', name=op.f('ck_fund_cycles_dates')),
    sa.CheckConstraint('state_budget_capital >= 0 AND state_budget_capital * 100 <= charter_capital * 49', name=op.f('ck_fund_cycles_state_share')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_cycles')),
    sa.UniqueConstraint('name', name=op.f('uq_fund_cycles_name'))
    )
    op.create_table('fund_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_org_id', sa.Integer(), nullable=True),
    sa.Column('title_vi', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('description_vi', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('min_amount', sa.BigInteger(), nullable=False),
    sa.Column('max_amount', sa.BigInteger(), nullable=False),
    sa.Column('cofunding_percent', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('eligible_kinds', sa.JSON(), nullable=False),
    sa.Column('field_codes', sa.JSON(), nullable=False),
    sa.Column('trl_min', sa.Integer(), nullable=False),
    sa.Column('trl_max', sa.Integer(), nullable=False),
    sa.Column('three_party', sa.Boolean(), nullable=False),
    sa.Column('required_documents', sa.JSON(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('rubric', sa.JSON(), nullable=False),
    sa.Column('score_max', sa.Integer(), nullable=False),
    sa.Column('reviewers_per_application', sa.Integer(), nullable=False),
    sa.Column('reviewer_load_limit', sa.Integer(), nullable=False),
    sa.Column('disagreement_threshold', sa.Double(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', 'decided', name='callstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('budget > 0', name=op.f('ck_fund_calls_budget_positive')),
    sa.CheckConstraint('cofunding_percent BETWEEN 0 AND 100', name=op.f('ck_fund_calls_cofunding_percent')),
    sa.CheckConstraint('min_amount >= 0 AND min_amount <= max_amount', name=op.f('ck_fund_calls_amount_range')),
    sa.CheckConstraint('opens_at < closes_at', name=op.f('ck_fund_calls_opens_before_closes')),
    sa.CheckConstraint('score_max BETWEEN 2 AND 100', name=op.f('ck_fund_calls_score_max')),
    sa.CheckConstraint('trl_min BETWEEN 1 AND 9 AND trl_max BETWEEN trl_min AND 9', name=op.f('ck_fund_calls_trl')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fund_calls_created_by_id_users')),
    sa.ForeignKeyConstraint(['fund_org_id'], ['organisations.id'], name=op.f('fk_fund_calls_fund_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_calls'))
    )
    with op.batch_alter_table('fund_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_calls_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_calls_state'), ['state'], unique=False)

    op.create_table('fund_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('lead_person_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('field_code', sa.String(length=64), nullable=True),
    sa.Column('trl', sa.Integer(), nullable=True),
    sa.Column('requested_amount', sa.BigInteger(), nullable=False),
    sa.Column('cofunding_amount', sa.BigInteger(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'screening', 'info_requested', 'ineligible', 'under_review', 'committee', 'approved', 'rejected', 'waitlisted', 'withdrawn', 'contracted', 'in_progress', 'closed', 'terminated', name='applicationstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('screening_note', sa.Text(), nullable=False),
    sa.Column('reply_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('result_id', sa.Integer(), nullable=True),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state = 'draft' OR state = 'withdrawn' OR submitted_at IS NOT NULL", name=op.f('ck_fund_applications_submitted_has_date')),
    sa.CheckConstraint('cofunding_amount >= 0', name=op.f('ck_fund_applications_cofunding_positive')),
    sa.CheckConstraint('requested_amount >= 0', name=op.f('ck_fund_applications_requested_positive')),
    sa.CheckConstraint('trl IS NULL OR trl BETWEEN 1 AND 9', name=op.f('ck_fund_applications_trl')),
    sa.ForeignKeyConstraint(['call_id'], ['fund_calls.id'], name=op.f('fk_fund_applications_call_id_fund_calls')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fund_applications_created_by_id_users')),
    sa.ForeignKeyConstraint(['field_code'], ['fields.code'], name=op.f('fk_fund_applications_field_code_fields')),
    sa.ForeignKeyConstraint(['lead_person_id'], ['people.id'], name=op.f('fk_fund_applications_lead_person_id_people')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_fund_applications_match_id_matches')),
    sa.ForeignKeyConstraint(['need_id'], ['technology_needs.id'], name=op.f('fk_fund_applications_need_id_technology_needs')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_fund_applications_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['result_id'], ['research_results.id'], name=op.f('fk_fund_applications_result_id_research_results')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_applications'))
    )
    with op.batch_alter_table('fund_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_applications_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_applications_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_applications_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_applications_state'), ['state'], unique=False)

    op.create_table('fund_application_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('doc_key', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['fund_applications.id'], name=op.f('fk_fund_application_documents_application_id_fund_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_fund_application_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_application_documents')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_fund_application_documents_storage_key'))
    )
    with op.batch_alter_table('fund_application_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_application_documents_application_id'), ['application_id'], unique=False)

    op.create_table('fund_application_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('enterprise', 'research', 'other', name='partnerrole', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['fund_applications.id'], name=op.f('fk_fund_application_partners_application_id_fund_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_fund_application_partners_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_application_partners')),
    sa.UniqueConstraint('application_id', 'organisation_id', name='partner')
    )
    with op.batch_alter_table('fund_application_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_application_partners_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_application_partners_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('fund_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('contract_number', sa.String(length=64), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('cofunding_amount', sa.BigInteger(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_fund_awards_amount_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['fund_applications.id'], name=op.f('fk_fund_awards_application_id_fund_applications')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fund_awards_created_by_id_users')),
    sa.ForeignKeyConstraint(['cycle_id'], ['fund_cycles.id'], name=op.f('fk_fund_awards_cycle_id_fund_cycles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_awards')),
    sa.UniqueConstraint('application_id', name=op.f('uq_fund_awards_application_id')),
    sa.UniqueConstraint('contract_number', name=op.f('uq_fund_awards_contract_number'))
    )
    with op.batch_alter_table('fund_awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_awards_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('fund_budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('fund_amount', sa.BigInteger(), nullable=False),
    sa.Column('cofunding_amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('fund_amount >= 0 AND cofunding_amount >= 0', name=op.f('ck_fund_budget_lines_amounts_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['fund_applications.id'], name=op.f('fk_fund_budget_lines_application_id_fund_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_budget_lines'))
    )
    with op.batch_alter_table('fund_budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_budget_lines_application_id'), ['application_id'], unique=False)

    op.create_table('fund_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['fund_applications.id'], name=op.f('fk_fund_conflicts_application_id_fund_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_fund_conflicts_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_conflicts')),
    sa.UniqueConstraint('application_id', 'reviewer_id', 'reason', name='conflict')
    )
    with op.batch_alter_table('fund_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_conflicts_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_conflicts_reviewer_id'), ['reviewer_id'], unique=False)

    op.create_table('fund_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('draft', 'submitted', 'screening', 'info_requested', 'ineligible', 'under_review', 'committee', 'approved', 'rejected', 'waitlisted', 'withdrawn', 'contracted', 'in_progress', 'closed', 'terminated', name='decision_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('approved', 'rejected', 'waitlisted')", name=op.f('ck_fund_decisions_outcome_is_decision')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_fund_decisions_amount_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['fund_applications.id'], name=op.f('fk_fund_decisions_application_id_fund_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_fund_decisions_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_decisions')),
    sa.UniqueConstraint('application_id', name=op.f('uq_fund_decisions_application_id'))
    )
    op.create_table('fund_review_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('invited', 'accepted', 'declined', 'submitted', name='assignmentstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('overall_comment', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state != 'submitted' OR submitted_at IS NOT NULL", name=op.f('ck_fund_review_assignments_submitted_has_date')),
    sa.ForeignKeyConstraint(['application_id'], ['fund_applications.id'], name=op.f('fk_fund_review_assignments_application_id_fund_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_fund_review_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_fund_review_assignments_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_review_assignments')),
    sa.UniqueConstraint('application_id', 'reviewer_id', name='reviewer')
    )
    with op.batch_alter_table('fund_review_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_review_assignments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_review_assignments_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_review_assignments_state'), ['state'], unique=False)

    op.create_table('fund_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('deliverables', sa.Text(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('planned', 'reported', 'changes_requested', 'accepted', 'paid', name='milestonestate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_fund_milestones_amount_positive')),
    sa.ForeignKeyConstraint(['award_id'], ['fund_awards.id'], name=op.f('fk_fund_milestones_award_id_fund_awards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_milestones'))
    )
    with op.batch_alter_table('fund_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_milestones_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_milestones_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_milestones_state'), ['state'], unique=False)

    op.create_table('fund_write_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('written_off_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_fund_write_offs_amount_positive')),
    sa.ForeignKeyConstraint(['award_id'], ['fund_awards.id'], name=op.f('fk_fund_write_offs_award_id_fund_awards')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_fund_write_offs_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_write_offs'))
    )
    with op.batch_alter_table('fund_write_offs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_write_offs_award_id'), ['award_id'], unique=False)

    op.create_table('fund_disbursements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_fund_disbursements_amount_positive')),
    sa.ForeignKeyConstraint(['milestone_id'], ['fund_milestones.id'], name=op.f('fk_fund_disbursements_milestone_id_fund_milestones'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_fund_disbursements_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_disbursements')),
    sa.UniqueConstraint('milestone_id', 'reference', name='reference')
    )
    with op.batch_alter_table('fund_disbursements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_disbursements_milestone_id'), ['milestone_id'], unique=False)



def downgrade():
    with op.batch_alter_table('fund_disbursements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_disbursements_milestone_id'))

    op.drop_table('fund_disbursements')
    with op.batch_alter_table('fund_write_offs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_write_offs_award_id'))

    op.drop_table('fund_write_offs')
    with op.batch_alter_table('fund_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_milestones_state'))
        batch_op.drop_index(batch_op.f('ix_fund_milestones_due_on'))
        batch_op.drop_index(batch_op.f('ix_fund_milestones_award_id'))

    op.drop_table('fund_milestones')
    with op.batch_alter_table('fund_review_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_review_assignments_state'))
        batch_op.drop_index(batch_op.f('ix_fund_review_assignments_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_fund_review_assignments_application_id'))

    op.drop_table('fund_review_assignments')
    op.drop_table('fund_decisions')
    with op.batch_alter_table('fund_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_conflicts_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_fund_conflicts_application_id'))

    op.drop_table('fund_conflicts')
    with op.batch_alter_table('fund_budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_budget_lines_application_id'))

    op.drop_table('fund_budget_lines')
    with op.batch_alter_table('fund_awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_awards_cycle_id'))

    op.drop_table('fund_awards')
    with op.batch_alter_table('fund_application_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_application_partners_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_fund_application_partners_application_id'))

    op.drop_table('fund_application_partners')
    with op.batch_alter_table('fund_application_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_application_documents_application_id'))

    op.drop_table('fund_application_documents')
    with op.batch_alter_table('fund_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_applications_state'))
        batch_op.drop_index(batch_op.f('ix_fund_applications_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_fund_applications_match_id'))
        batch_op.drop_index(batch_op.f('ix_fund_applications_call_id'))

    op.drop_table('fund_applications')
    with op.batch_alter_table('fund_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_calls_state'))
        batch_op.drop_index(batch_op.f('ix_fund_calls_closes_at'))

    op.drop_table('fund_calls')
    op.drop_table('fund_cycles')
