// Placeholder until the HTTPRouting module lands.
