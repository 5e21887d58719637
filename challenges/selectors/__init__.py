"""Reads for challenges, one module per area."""
