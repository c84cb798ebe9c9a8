// Placeholder until the SigV4 module lands.
