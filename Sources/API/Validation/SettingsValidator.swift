internal import Catalog
internal import JSONBytes
internal import SourceModel

/// Checks `settings` against `SettingsSchema` for the source's platform.
enum SettingsValidator {
    static func validate(_ settings: JSONValue, platform: Platform, into errors: inout FieldErrors) {
        guard case .object(let members) = settings else {
            errors.add("settings", "must be a JSON object")
            return
        }
        // A connector may need a setting no default can stand for (the customer's org URL).
        for spec in PlatformCatalog.definition(of: platform).settings where spec.required {
            if !members.contains(where: { $0.key == spec.name }) { errors.add("settings.\(spec.name)", "is required for \(platform.rawValue) sources") }
        }
        for (name, value) in members {
            let field = "settings.\(name)"
            guard let spec = SettingsSchema.spec(named: name), spec.platforms.contains(platform) else {
                errors.add(field, "is not a setting of \(platform.rawValue) sources")
                continue
            }
            if let problem = check(value, spec.kind, platform: platform) {
                errors.add(field, problem)
            } else if name == "overlap_minutes", let minutes = value.intValue,
                      minutes < SettingsSchema.overlapFloorMinutes(for: platform) {
                errors.add(field, "must be at least \(SettingsSchema.overlapFloorMinutes(for: platform)) for \(platform.rawValue) sources (late events would be lost)")
            }
        }
    }

    private static func check(_ value: JSONValue, _ kind: SettingSpec.Kind, platform: Platform) -> String? {
        switch kind {
        case .httpsURL:
            guard let text = value.stringValue, TextRules.isHTTPSURL(text) else { return "must be an https:// URL" }
        case .text(let maxLength):
            guard let text = value.stringValue, text.count <= maxLength, !TextRules.hasControlCharacters(text) else {
                return "must be a string of at most \(maxLength) characters"
            }
        case .textList(let maxItems):
            guard case .array(let items) = value, items.count <= maxItems,
                  items.allSatisfy({ ($0.stringValue?.count ?? 0) > 0 && ($0.stringValue?.count ?? 0) <= 512 }) else {
                return "must be a list of at most \(maxItems) non-empty strings"
            }
        case .integer(let range):
            guard let number = value.intValue, range.contains(number) else {
                return "must be an integer from \(range.lowerBound) to \(range.upperBound)"
            }
        case .oneOf(let options):
            guard let text = value.stringValue, options.contains(text) else {
                return "must be one of \(options.joined(separator: ", "))"
            }
        case .subsetOf:
            let allowed = SettingsSchema.streams(for: platform)
            guard case .array(let items) = value, !items.isEmpty,
                  items.allSatisfy({ $0.stringValue.map(allowed.contains) ?? false }) else {
                return "must be a non-empty list drawn from \(allowed.joined(separator: ", "))"
            }
        }
        return nil
    }
}
