"""The steering committee's dashboard: the Resolution 57 task tracker, live indicators
computed from the platform's records, targets, the S&T budget share, and open data."""
