// Placeholder until the Curl module lands.
