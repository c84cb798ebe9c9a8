// Placeholder until CurlTests land.
