"""Approval documents (Art. 11–13): types, queries and mutations."""
