"""Writes for challenges, one module per area: authoring, coach, lifecycle, qa, discovery (follows and
saved searches)."""
