// Placeholder until the Kafka module lands.
