"""Alembic environment: migrations run on the connection the project opened.

Projects are never migrated from an ``alembic.ini``; :mod:`wsad_core.project.migrate` passes
the open connection in ``config.attributes["connection"]``.
"""

from alembic import context

from wsad_core.project.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
