"""Alembic migrations of the project database, applied when a project is opened."""
