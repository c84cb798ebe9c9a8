// Placeholder until the SourceModel module lands.
