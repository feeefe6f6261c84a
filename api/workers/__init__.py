"""Background workers started by the app: notifications and webhook deliveries."""
