"""Identity: users, organizations created by administrators, API tokens, sessions and security events."""
