"""labs: labs, equipment, downtime, authorisations, bookings, holds (no overlap), usage, feeds, waitlist

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:28:25.900991

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _no_overlap():
    """No two holds of one piece of equipment overlap: the database's own rule."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE lab_holds ADD CONSTRAINT ex_lab_holds_no_overlap EXCLUDE USING gist "
            "(equipment_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
        )
    else:
        for when in ("INSERT", "UPDATE"):
            op.execute(
                f"""CREATE TRIGGER lab_holds_no_overlap_{when.lower()} BEFORE {when} ON lab_holds
WHEN EXISTS (SELECT 1 FROM lab_holds h WHERE h.equipment_id = NEW.equipment_id
  AND h.id IS NOT NEW.id AND h.starts_at < NEW.ends_at AND NEW.starts_at < h.ends_at)
BEGIN SELECT RAISE(ABORT, 'lab_holds_no_overlap'); END"""
            )


def upgrade():
    op.create_table('labs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('name_vi', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('field_code', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('opening_hours', sa.JSON(), nullable=False),
    sa.Column('rules_vi', sa.Text(), nullable=False),
    sa.Column('rules_en', sa.Text(), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['field_code'], ['fields.code'], name=op.f('fk_labs_field_code_fields')),
    sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_labs_manager_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_labs_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labs'))
    )
    with op.batch_alter_table('labs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_labs_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_labs_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('lab_equipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.Integer(), nullable=False),
    sa.Column('name_vi', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('field_code', sa.String(length=64), nullable=True),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('specifications', sa.Text(), nullable=False),
    sa.Column('photo_url', sa.String(length=300), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('fee_unit', sa.Enum('hour', 'sample', name='feeunit', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('cost_maintenance', sa.BigInteger(), nullable=False),
    sa.Column('cost_repair', sa.BigInteger(), nullable=False),
    sa.Column('cost_operation', sa.BigInteger(), nullable=False),
    sa.Column('cost_depreciation', sa.BigInteger(), nullable=False),
    sa.Column('research_rate', sa.BigInteger(), nullable=True),
    sa.Column('enterprise_rate', sa.BigInteger(), nullable=True),
    sa.Column('training_required', sa.Boolean(), nullable=False),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('min_minutes', sa.Integer(), nullable=False),
    sa.Column('max_minutes', sa.Integer(), nullable=False),
    sa.Column('lead_hours', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cost_maintenance >= 0 AND cost_repair >= 0 AND cost_operation >= 0 AND cost_depreciation >= 0', name=op.f('ck_lab_equipment_costs_not_negative')),
    sa.CheckConstraint('enterprise_rate IS NULL OR (enterprise_rate >= 0 AND enterprise_rate <= cost_maintenance + cost_repair + cost_operation + cost_depreciation)', name=op.f('ck_lab_equipment_enterprise_rate_at_most_cost')),
    sa.CheckConstraint('lead_hours >= 0', name=op.f('ck_lab_equipment_lead_hours')),
    sa.CheckConstraint('min_minutes > 0 AND max_minutes >= min_minutes', name=op.f('ck_lab_equipment_booking_length')),
    sa.CheckConstraint('research_rate IS NULL OR (research_rate >= 0 AND research_rate <= cost_maintenance + cost_repair + cost_operation + cost_depreciation)', name=op.f('ck_lab_equipment_research_rate_at_most_cost')),
    sa.ForeignKeyConstraint(['field_code'], ['fields.code'], name=op.f('fk_lab_equipment_field_code_fields')),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_lab_equipment_lab_id_labs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_equipment'))
    )
    with op.batch_alter_table('lab_equipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_equipment_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_equipment_lab_id'), ['lab_id'], unique=False)

    op.create_table('lab_authorisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['equipment_id'], ['lab_equipment.id'], name=op.f('fk_lab_authorisations_equipment_id_lab_equipment')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_lab_authorisations_granted_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lab_authorisations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_authorisations')),
    sa.UniqueConstraint('user_id', 'equipment_id', name='user_equipment')
    )
    with op.batch_alter_table('lab_authorisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_authorisations_equipment_id'), ['equipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_authorisations_user_id'), ['user_id'], unique=False)

    op.create_table('lab_downtimes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('maintenance', 'breakdown', name='downtimekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_lab_downtimes_starts_before_ends')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_lab_downtimes_created_by_id_users')),
    sa.ForeignKeyConstraint(['equipment_id'], ['lab_equipment.id'], name=op.f('fk_lab_downtimes_equipment_id_lab_equipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_downtimes'))
    )
    with op.batch_alter_table('lab_downtimes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_downtimes_equipment_id'), ['equipment_id'], unique=False)

    op.create_table('lab_feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['equipment_id'], ['lab_equipment.id'], name=op.f('fk_lab_feed_tokens_equipment_id_lab_equipment')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lab_feed_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_lab_feed_tokens_token_hash'))
    )
    with op.batch_alter_table('lab_feed_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_feed_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('lab_waitlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_lab_waitlist_starts_before_ends')),
    sa.ForeignKeyConstraint(['equipment_id'], ['lab_equipment.id'], name=op.f('fk_lab_waitlist_equipment_id_lab_equipment')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lab_waitlist_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_waitlist'))
    )
    with op.batch_alter_table('lab_waitlist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_waitlist_equipment_id'), ['equipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_waitlist_user_id'), ['user_id'], unique=False)

    op.create_table('lab_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_kind', sa.Enum('research', 'enterprise', 'startup', name='userkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('state', sa.Enum('requested', 'approved', 'rejected', 'checked_in', 'completed', 'cancelled', 'no_show', name='bookingstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=True),
    sa.Column('result_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('late_cancellation', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('samples >= 0', name=op.f('ck_lab_bookings_samples_not_negative')),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_lab_bookings_starts_before_ends')),
    sa.ForeignKeyConstraint(['award_id'], ['fund_awards.id'], name=op.f('fk_lab_bookings_award_id_fund_awards')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_lab_bookings_decided_by_id_users')),
    sa.ForeignKeyConstraint(['equipment_id'], ['lab_equipment.id'], name=op.f('fk_lab_bookings_equipment_id_lab_equipment')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_lab_bookings_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['result_id'], ['research_results.id'], name=op.f('fk_lab_bookings_result_id_research_results')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lab_bookings_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_bookings'))
    )
    with op.batch_alter_table('lab_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_bookings_equipment_id'), ['equipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_bookings_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_bookings_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_bookings_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_bookings_user_id'), ['user_id'], unique=False)

    op.create_table('lab_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('downtime_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(booking_id IS NULL) <> (downtime_id IS NULL)', name=op.f('ck_lab_holds_booking_or_downtime')),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_lab_holds_starts_before_ends')),
    sa.ForeignKeyConstraint(['booking_id'], ['lab_bookings.id'], name=op.f('fk_lab_holds_booking_id_lab_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['downtime_id'], ['lab_downtimes.id'], name=op.f('fk_lab_holds_downtime_id_lab_downtimes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['equipment_id'], ['lab_equipment.id'], name=op.f('fk_lab_holds_equipment_id_lab_equipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_holds')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_lab_holds_booking_id')),
    sa.UniqueConstraint('downtime_id', name=op.f('uq_lab_holds_downtime_id'))
    )
    with op.batch_alter_table('lab_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_holds_equipment_id'), ['equipment_id'], unique=False)
    _no_overlap()

    op.create_table('lab_usage_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_kind', sa.Enum('research', 'enterprise', 'startup', name='userkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('fee_unit', sa.Enum('hour', 'sample', name='feeunit', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('units', sa.Double(), nullable=False),
    sa.Column('unit_rate', sa.BigInteger(), nullable=False),
    sa.Column('unit_cost', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('cost_amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount <= cost_amount', name=op.f('ck_lab_usage_records_at_most_cost')),
    sa.CheckConstraint('amount >= 0 AND cost_amount >= 0', name=op.f('ck_lab_usage_records_amounts_not_negative')),
    sa.ForeignKeyConstraint(['booking_id'], ['lab_bookings.id'], name=op.f('fk_lab_usage_records_booking_id_lab_bookings')),
    sa.ForeignKeyConstraint(['equipment_id'], ['lab_equipment.id'], name=op.f('fk_lab_usage_records_equipment_id_lab_equipment')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_lab_usage_records_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_usage_records')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_lab_usage_records_booking_id'))
    )
    with op.batch_alter_table('lab_usage_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_usage_records_equipment_id'), ['equipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_usage_records_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_usage_records_started_at'), ['started_at'], unique=False)



def downgrade():
    with op.batch_alter_table('lab_usage_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_usage_records_started_at'))
        batch_op.drop_index(batch_op.f('ix_lab_usage_records_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_lab_usage_records_equipment_id'))

    op.drop_table('lab_usage_records')
    with op.batch_alter_table('lab_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_holds_equipment_id'))

    op.drop_table('lab_holds')
    with op.batch_alter_table('lab_bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_bookings_user_id'))
        batch_op.drop_index(batch_op.f('ix_lab_bookings_state'))
        batch_op.drop_index(batch_op.f('ix_lab_bookings_starts_at'))
        batch_op.drop_index(batch_op.f('ix_lab_bookings_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_lab_bookings_equipment_id'))

    op.drop_table('lab_bookings')
    with op.batch_alter_table('lab_waitlist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_waitlist_user_id'))
        batch_op.drop_index(batch_op.f('ix_lab_waitlist_equipment_id'))

    op.drop_table('lab_waitlist')
    with op.batch_alter_table('lab_feed_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_feed_tokens_user_id'))

    op.drop_table('lab_feed_tokens')
    with op.batch_alter_table('lab_downtimes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_downtimes_equipment_id'))

    op.drop_table('lab_downtimes')
    with op.batch_alter_table('lab_authorisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_authorisations_user_id'))
        batch_op.drop_index(batch_op.f('ix_lab_authorisations_equipment_id'))

    op.drop_table('lab_authorisations')
    with op.batch_alter_table('lab_equipment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_equipment_lab_id'))
        batch_op.drop_index(batch_op.f('ix_lab_equipment_category'))

    op.drop_table('lab_equipment')
    with op.batch_alter_table('labs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_labs_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_labs_manager_id'))

    op.drop_table('labs')
