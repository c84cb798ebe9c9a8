// Placeholder until SecretsTests land.
