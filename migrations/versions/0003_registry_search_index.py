"""registry search index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 08:00:02.838925

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Column order matters for speed: the small columns every search filters on come
    # first, the long texts last, so checking a row never reads its overflow pages.
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('field_code', sa.String(length=64), nullable=True),
    sa.Column('trl', sa.Integer(), nullable=True),
    sa.Column('province_folded', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('province', sa.String(length=100), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('subtitle', sa.String(length=300), nullable=False),
    sa.Column('snippet', sa.Text(), nullable=False),
    sa.Column('title_folded', sa.Text(), nullable=False),
    sa.Column('body_folded', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('kind', 'object_id', name='kind_object')
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_field_code'), ['field_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_is_public'), ['is_public'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_province_folded'), ['province_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index('ix_search_entries_kind_updated', ['kind', 'updated_at', 'is_public', 'expires_at', 'organisation_id'], unique=False)
        batch_op.create_index('ix_search_entries_field_updated', ['field_code', 'updated_at', 'is_public', 'expires_at', 'organisation_id'], unique=False)

    op.create_table('search_terms',
    sa.Column('term', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('term', name=op.f('pk_search_terms'))
    )
    if op.get_bind().dialect.name == "postgresql":
        _create_postgres_fulltext()
    else:
        _create_sqlite_fulltext()


def _create_postgres_fulltext():
    """A generated tsvector (titles weight A, bodies B) with a GIN index."""
    op.execute(
        "ALTER TABLE search_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', coalesce(title_folded, '')), 'A') || "
        "setweight(to_tsvector('simple', coalesce(body_folded, '')), 'B')) STORED"
    )
    op.execute("CREATE INDEX ix_search_entries_search_vector ON search_entries USING gin (search_vector)")


def _create_sqlite_fulltext():
    """An external-content FTS5 table kept in step with search_entries by triggers."""
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(title_folded, body_folded, "
        "content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_entries BEGIN "
        "INSERT INTO search_fts(rowid, title_folded, body_folded) "
        "VALUES (new.id, new.title_folded, new.body_folded); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title_folded, body_folded) "
        "VALUES ('delete', old.id, old.title_folded, old.body_folded); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title_folded, body_folded) "
        "VALUES ('delete', old.id, old.title_folded, old.body_folded); "
        "INSERT INTO search_fts(rowid, title_folded, body_folded) "
        "VALUES (new.id, new.title_folded, new.body_folded); END"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_entries_search_vector")
        op.execute("ALTER TABLE search_entries DROP COLUMN IF EXISTS search_vector")
    else:
        for trigger in ("search_fts_ai", "search_fts_ad", "search_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_terms')
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_updated_at'))
        batch_op.drop_index('ix_search_entries_kind_updated')
        batch_op.drop_index('ix_search_entries_field_updated')
        batch_op.drop_index(batch_op.f('ix_search_entries_province_folded'))
        batch_op.drop_index(batch_op.f('ix_search_entries_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_search_entries_is_public'))
        batch_op.drop_index(batch_op.f('ix_search_entries_field_code'))

    op.drop_table('search_entries')
