"""Who may do what: the casbin model and policy, the enforcer, and ownership scoping."""
