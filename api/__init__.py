"""The GraphQL API: Starlette app, schema, resolvers, authentication, CLI."""
