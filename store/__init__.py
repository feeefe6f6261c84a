"""Persistence: PostgreSQL tables, the ORM mapping of the domain objects, repositories, unit of work.

A top-level package rather than api/db/ because authz (SQL scoping of lists) and the CLI use it too,
and neither should depend on the GraphQL layer.
"""
