// Placeholder until the FastCGI module lands.
