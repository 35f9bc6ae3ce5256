"""Sync client of the backend API (no Qt): HTTP client, tokens in the keyring, the outbox,
and sync runs that push local changes and pull rules from the server."""
