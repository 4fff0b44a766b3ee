"""A OneView appliance simulator: HTTPS REST routes over an in-memory state, with fault injection.

It imports nothing else of this project on purpose: it is the independent witness of the
client's correctness (see ARCHITECTURE.md).
"""
