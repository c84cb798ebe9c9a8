// Placeholder until AuthTests land.
