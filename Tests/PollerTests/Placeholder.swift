// Placeholder until PollerTests land.
