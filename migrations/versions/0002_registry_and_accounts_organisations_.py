"""registry and accounts: organisations, people, groups, listings, sessions, roles, memberships, tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:54:07.270540

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fields',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('parent_code', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['fields.code'], name=op.f('fk_fields_parent_code_fields')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_fields'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('university', 'research_institute', 'enterprise', 'startup', 'investor', 'fund', 'government_agency', 'lab_operator', name='orgkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name_vi', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('short_name', sa.String(length=50), nullable=False),
    sa.Column('tax_code', sa.String(length=14), nullable=True),
    sa.Column('ror_id', sa.String(length=9), nullable=True),
    sa.Column('province', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['organisations.id'], name=op.f('fk_organisations_merged_into_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('ror_id', name=op.f('uq_organisations_ror_id')),
    sa.UniqueConstraint('tax_code', name=op.f('uq_organisations_tax_code'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_province'), ['province'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('can_write', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('investors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('thesis', sa.Text(), nullable=False),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('ticket_min', sa.BigInteger(), nullable=True),
    sa.Column('ticket_max', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'published', 'archived', name='listingstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expiry_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ticket_min IS NULL OR ticket_max IS NULL OR ticket_min <= ticket_max', name=op.f('ck_investors_ticket_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_investors_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_investors_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investors'))
    )
    with op.batch_alter_table('investors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investors_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_investors_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_investors_state'), ['state'], unique=False)

    op.create_table('oidc_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oidc_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_identities')),
    sa.UniqueConstraint('issuer', 'subject', name='issuer_subject')
    )
    with op.batch_alter_table('oidc_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oidc_identities_user_id'), ['user_id'], unique=False)

    op.create_table('org_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('member', 'admin', name='orgrole', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'active', 'refused', 'revoked', name='membershipstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_org_memberships_decided_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_org_memberships_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_org_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_memberships')),
    sa.UniqueConstraint('user_id', 'organisation_id', name='user_org')
    )
    with op.batch_alter_table('org_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_memberships_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('honorific', sa.String(length=30), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('orcid', sa.String(length=19), nullable=True),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['people.id'], name=op.f('fk_people_merged_into_id_people')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_people_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('orcid', name=op.f('uq_people_orcid')),
    sa.UniqueConstraint('user_id', name=op.f('uq_people_user_id'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_name_key'), ['name_key'], unique=False)

    op.create_table('startups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('stage', sa.Enum('idea', 'pre_seed', 'seed', 'series_a', 'growth', name='startupstage', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('funding_sought', sa.BigInteger(), nullable=True),
    sa.Column('pitch', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'published', 'archived', name='listingstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expiry_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('funding_sought IS NULL OR funding_sought >= 0', name=op.f('ck_startups_funding_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_startups_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_startups_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_startups'))
    )
    with op.batch_alter_table('startups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_startups_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_startups_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_startups_state'), ['state'], unique=False)

    op.create_table('technology_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('expected_outcome', sa.Text(), nullable=False),
    sa.Column('field_code', sa.String(length=64), nullable=False),
    sa.Column('trl_wanted', sa.Integer(), nullable=False),
    sa.Column('budget_min', sa.BigInteger(), nullable=True),
    sa.Column('budget_max', sa.BigInteger(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'published', 'archived', name='listingstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expiry_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max', name=op.f('ck_technology_needs_budget_ordered')),
    sa.CheckConstraint('budget_min IS NULL OR budget_min >= 0', name=op.f('ck_technology_needs_budget_positive')),
    sa.CheckConstraint('trl_wanted BETWEEN 1 AND 9', name=op.f('ck_technology_needs_trl_wanted_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_technology_needs_created_by_id_users')),
    sa.ForeignKeyConstraint(['field_code'], ['fields.code'], name=op.f('fk_technology_needs_field_code_fields')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_technology_needs_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technology_needs'))
    )
    with op.batch_alter_table('technology_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_technology_needs_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_technology_needs_field_code'), ['field_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_technology_needs_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_technology_needs_state'), ['state'], unique=False)

    op.create_table('user_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'fund_manager', 'reviewer', 'lab_manager', 'steering', name='platformrole', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_user_roles_granted_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_roles')),
    sa.UniqueConstraint('user_id', 'role', name='user_role')
    )
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_roles_user_id'), ['user_id'], unique=False)

    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('investor_fields',
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('field_code', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['field_code'], ['fields.code'], name=op.f('fk_investor_fields_field_code_fields')),
    sa.ForeignKeyConstraint(['investor_id'], ['investors.id'], name=op.f('fk_investor_fields_investor_id_investors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('investor_id', 'field_code', name=op.f('pk_investor_fields'))
    )
    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.CheckConstraint('ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on', name=op.f('ck_memberships_dates_ordered')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_memberships_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_memberships_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_person_id'), ['person_id'], unique=False)

    op.create_table('research_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name_vi', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['leader_id'], ['people.id'], name=op.f('fk_research_groups_leader_id_people')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_research_groups_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_groups'))
    )
    with op.batch_alter_table('research_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_groups_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('startup_fields',
    sa.Column('startup_id', sa.Integer(), nullable=False),
    sa.Column('field_code', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['field_code'], ['fields.code'], name=op.f('fk_startup_fields_field_code_fields')),
    sa.ForeignKeyConstraint(['startup_id'], ['startups.id'], name=op.f('fk_startup_fields_startup_id_startups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('startup_id', 'field_code', name=op.f('pk_startup_fields'))
    )
    op.create_table('group_fields',
    sa.Column('research_group_id', sa.Integer(), nullable=False),
    sa.Column('field_code', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['field_code'], ['fields.code'], name=op.f('fk_group_fields_field_code_fields')),
    sa.ForeignKeyConstraint(['research_group_id'], ['research_groups.id'], name=op.f('fk_group_fields_research_group_id_research_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('research_group_id', 'field_code', name=op.f('pk_group_fields'))
    )
    op.create_table('group_members',
    sa.Column('research_group_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_group_members_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['research_group_id'], ['research_groups.id'], name=op.f('fk_group_members_research_group_id_research_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('research_group_id', 'person_id', name=op.f('pk_group_members'))
    )
    op.create_table('research_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('field_code', sa.String(length=64), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('trl', sa.Integer(), nullable=False),
    sa.Column('ip_status', sa.Enum('none', 'patent_pending', 'patent_granted', 'utility_solution', 'copyright', 'trade_secret', name='ipstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('confidentiality', sa.Enum('public', 'members', 'after_introduction', name='confidentiality', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('state', sa.Enum('draft', 'published', 'archived', name='listingstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expiry_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('trl BETWEEN 1 AND 9', name=op.f('ck_research_results_trl_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_research_results_created_by_id_users')),
    sa.ForeignKeyConstraint(['field_code'], ['fields.code'], name=op.f('fk_research_results_field_code_fields')),
    sa.ForeignKeyConstraint(['group_id'], ['research_groups.id'], name=op.f('fk_research_results_group_id_research_groups')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_research_results_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_results'))
    )
    with op.batch_alter_table('research_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_results_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_results_field_code'), ['field_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_results_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_results_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_results_state'), ['state'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['result_id'], ['research_results.id'], name=op.f('fk_attachments_result_id_research_results'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_attachments_storage_key'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_result_id'), ['result_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('digest_opt_out', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digest_opt_out')
        batch_op.drop_column('password_changed_at')

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_result_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('research_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_results_state'))
        batch_op.drop_index(batch_op.f('ix_research_results_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_research_results_group_id'))
        batch_op.drop_index(batch_op.f('ix_research_results_field_code'))
        batch_op.drop_index(batch_op.f('ix_research_results_expires_at'))

    op.drop_table('research_results')
    op.drop_table('group_members')
    op.drop_table('group_fields')
    op.drop_table('startup_fields')
    with op.batch_alter_table('research_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_groups_organisation_id'))

    op.drop_table('research_groups')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_person_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_organisation_id'))

    op.drop_table('memberships')
    op.drop_table('investor_fields')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_roles_user_id'))

    op.drop_table('user_roles')
    with op.batch_alter_table('technology_needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_technology_needs_state'))
        batch_op.drop_index(batch_op.f('ix_technology_needs_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_technology_needs_field_code'))
        batch_op.drop_index(batch_op.f('ix_technology_needs_expires_at'))

    op.drop_table('technology_needs')
    with op.batch_alter_table('startups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_startups_state'))
        batch_op.drop_index(batch_op.f('ix_startups_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_startups_expires_at'))

    op.drop_table('startups')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_name_key'))

    op.drop_table('people')
    with op.batch_alter_table('org_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_org_memberships_organisation_id'))

    op.drop_table('org_memberships')
    with op.batch_alter_table('oidc_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oidc_identities_user_id'))

    op.drop_table('oidc_identities')
    with op.batch_alter_table('investors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investors_state'))
        batch_op.drop_index(batch_op.f('ix_investors_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_investors_expires_at'))

    op.drop_table('investors')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_province'))
        batch_op.drop_index(batch_op.f('ix_organisations_name_key'))
        batch_op.drop_index(batch_op.f('ix_organisations_kind'))

    op.drop_table('organisations')
    op.drop_table('fields')
