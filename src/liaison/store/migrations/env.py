"""Alembic environment: the connection comes from Liaison's store, never from alembic.ini."""

from alembic import context

from liaison.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
