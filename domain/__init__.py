"""The regulation as code: lifecycle, rules, use cases. Imports only the standard library."""
