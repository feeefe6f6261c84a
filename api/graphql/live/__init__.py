"""Live updates: GraphQL subscriptions over WebSocket."""
