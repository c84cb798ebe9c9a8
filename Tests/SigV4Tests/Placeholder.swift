// Placeholder until SigV4Tests land.
