"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from app.cloud.context import CloudContext
from app.cloud.db.migrate import upgrade_database
from app.cloud.db.models import Base


def _differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_migrated_schema_matches_the_models(cloud_context: CloudContext) -> None:
    async with cloud_context.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_migrating_again_is_harmless(cloud_context: CloudContext) -> None:
    # Every cloud process migrates at start; the second one must find nothing to do.
    await upgrade_database(cloud_context.engine)
    async with cloud_context.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
