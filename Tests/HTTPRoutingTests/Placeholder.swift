// Placeholder until HTTPRoutingTests land.
