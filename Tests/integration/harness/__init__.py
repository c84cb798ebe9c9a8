"""Plain helpers for the integration suites: processes by PID, the dev broker, Kafka reads."""
