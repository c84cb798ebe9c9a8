import UTCTime

/// Readable instants for the cursor tests: seconds after a fixed base.
let base = UTCTimestamp(rfc3339: "2026-03-01T12:00:00Z")!

func at(_ seconds: Int64) -> UTCTimestamp { base.adding(seconds: seconds) }
