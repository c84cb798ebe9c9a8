// Placeholder until JSONBytesTests land.
