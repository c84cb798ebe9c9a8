// Placeholder until SourceModelTests land.
