internal import Catalog
internal import HTTPRouting
internal import JSONBytes
internal import SourceModel
internal import UTCTime

/// Turns a create/replace body into a `SourceDraft`, or a 400 naming every bad field.
enum SourceInputValidator {
    static let knownFields: Set<String> = [
        "platform", "source_name", "api_credentials_json", "polling_interval_minutes", "is_enabled", "settings",
    ]

    /// `requireCredentials` is true on create; on replace, omitted credentials keep the stored ones
    /// unless the platform changes. `hosts` decides which endpoints the source may name.
    static func draft(from members: [(key: String, value: JSONValue)], requireCredentials: Bool,
                      storedPlatform: Platform? = nil, hosts: ProviderHostPolicy = ProviderHostPolicy()) throws(HTTPError) -> SourceDraft {
        var errors = FieldErrors()
        func member(_ name: String) -> JSONValue? { members.first { $0.key == name }?.value }
        for member in members where !knownFields.contains(member.key) {
            errors.add(member.key, "is not a known field")
        }

        var platform: Platform?
        switch member("platform") {
        case nil: errors.add("platform", "is required")
        case .string(let name)?:
            platform = Platform(name: name)
            if platform == nil { errors.add("platform", "must be one of \(Platform.allNames)") }
        default: errors.add("platform", "must be a string")
        }

        var name = ""
        switch member("source_name") {
        case nil: errors.add("source_name", "is required")
        case .string(let text)?:
            name = text
            if text.isEmpty || text.count > 200 { errors.add("source_name", "must be 1 to 200 characters") }
            else if text.first!.isWhitespace || text.last!.isWhitespace { errors.add("source_name", "must not start or end with spaces") }
            else if TextRules.hasControlCharacters(text) { errors.add("source_name", "must not contain control characters") }
        default: errors.add("source_name", "must be a string")
        }

        var interval = ScheduleRules.defaultPollingIntervalMinutes
        if let value = member("polling_interval_minutes") {
            if let minutes = value.intValue, ScheduleRules.pollingIntervalRange.contains(minutes) {
                interval = minutes
            } else {
                errors.add("polling_interval_minutes", "must be an integer from 1 to 1440")
            }
        }

        var enabled = true
        if let value = member("is_enabled") {
            if let flag = value.boolValue { enabled = flag } else { errors.add("is_enabled", "must be true or false") }
        }

        var settings = JSONValue.object([])
        if let value = member("settings") {
            if let platform { SettingsValidator.validate(value, platform: platform, into: &errors) }
            settings = value
        }

        var credentialsJSON: [UInt8]?
        var credentialsExpireAt: UTCTimestamp?
        if let value = member("api_credentials_json") {
            var credentials: JSONValue? = value
            if case .string(let text) = value {
                credentials = try? JSONValue.parse(Array(text.utf8), maxDepth: 8)
                if credentials == nil { errors.add("api_credentials_json", "is a string but not valid JSON") }
            }
            if let credentials, let platform {
                credentialsExpireAt = CredentialValidator.validate(credentials, platform: platform, into: &errors)
                credentialsJSON = credentials.serialized()
            }
        } else if requireCredentials {
            errors.add("api_credentials_json", "is required")
        } else if let storedPlatform, let platform, storedPlatform != platform {
            errors.add("api_credentials_json", "is required when the platform changes")
        }

        if let platform {
            let credentials = credentialsJSON.flatMap { try? JSONValue.parse($0) }
            let flagged = Set(errors.errors.map(\.field))
            for violation in hosts.violations(platform: platform, settings: settings, credentials: credentials)
            where !flagged.contains(violation.field) {
                errors.add(violation.field, violation.message)
            }
        }

        try errors.throwIfAny()
        return SourceDraft(platform: platform!, sourceName: name, credentialsJSON: credentialsJSON,
                           credentialsExpireAt: credentialsExpireAt, pollingIntervalMinutes: interval, isEnabled: enabled, settings: settings)
    }
}
