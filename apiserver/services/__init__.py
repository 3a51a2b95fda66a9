"""gRPC handlers for the API services."""
