public import SourceModel

extension ProviderHostPolicy {
    /// Refuses a source whose endpoints name a host outside the policy, before any
    /// request carries its credentials anywhere.
    public func check(_ context: ProviderContext) throws(ProviderError) {
        let found = violations(platform: context.platform, settings: context.settings, credentials: context.credentials)
        guard let first = found.first else { return }
        throw ProviderError(.configuration, "\(first.field): \(first.message)")
    }
}
