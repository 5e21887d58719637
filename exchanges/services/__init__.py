"""Writes of staff exchanges, one function per action (events, registration, agenda, surveys, reports,
reminders)."""
