// Placeholder until the Poller module lands.
