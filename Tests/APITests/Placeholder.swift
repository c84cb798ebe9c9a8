// Placeholder until APITests land.
