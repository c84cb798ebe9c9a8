internal import Catalog
internal import JSONBytes
internal import SourceModel

/// The JSON of `GET /v1/platforms` (see `Platforms` in htdocs/openapi.yaml).
enum CatalogRenderer {
    static func render() -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 16 * 1024)
        writer.beginObject()
        writer.key("source")
        writer.beginObject()
        writer.key("polling_interval_minutes")
        writer.beginObject()
        writer.key("minimum"); writer.int(ScheduleRules.pollingIntervalRange.lowerBound)
        writer.key("maximum"); writer.int(ScheduleRules.pollingIntervalRange.upperBound)
        writer.key("default"); writer.int(ScheduleRules.defaultPollingIntervalMinutes)
        writer.endObject()
        writer.endObject()
        writer.key("platforms")
        writer.beginArray()
        for definition in PlatformCatalog.all { write(definition, into: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    private static func write(_ definition: PlatformDefinition, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("name"); writer.string(definition.platform.rawValue)
        writer.key("label"); writer.string(definition.label)
        writer.key("overlap_floor_minutes"); writer.int(definition.overlapFloorMinutes)
        writer.key("streams")
        writer.beginArray()
        for stream in definition.streams { write(stream, into: &writer) }
        writer.endArray()
        writer.key("settings")
        writer.beginArray()
        for spec in definition.settings { write(spec, of: definition, into: &writer) }
        writer.endArray()
        writer.key("defaults")
        writer.beginObject()
        for spec in definition.settings {
            guard let value = spec.defaultValue else { continue }
            writer.key(spec.name); writer.value(value)
        }
        writer.endObject()
        writer.key("credentials"); write(definition.credentials, into: &writer)
        writer.key("clouds")
        writer.beginArray()
        for cloud in definition.clouds { write(cloud, into: &writer) }
        writer.endArray()
        writer.endObject()
    }

    private static func write(_ stream: StreamDefinition, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("name"); writer.string(stream.name)
        writer.key("label"); writer.string(stream.label)
        writer.key("log_type"); writer.string(stream.logType)
        writer.key("key"); writer.string(stream.keyForm)
        writer.key("key_setting"); writer.string(stream.perItem?.setting)
        writer.key("default_overlap_minutes"); writer.int(Int(stream.defaultOverlapSeconds / 60))
        writer.endObject()
    }

    private static func write(_ spec: SettingSpec, of definition: PlatformDefinition, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("name"); writer.string(spec.name)
        writer.key("label"); writer.string(spec.label)
        writer.key("help"); writer.string(spec.help)
        // Settings every platform has are about collection; the others are the platform's own.
        writer.key("group"); writer.string(spec.platforms == Set(Platform.allCases) ? "collection" : "platform")
        switch spec.kind {
        case .httpsURL:
            writer.key("type"); writer.string("url")
        case .text(let maxLength):
            writer.key("type"); writer.string("text")
            writer.key("max_length"); writer.int(maxLength)
        case .textList(let maxItems):
            writer.key("type"); writer.string("text_list")
            writer.key("max_items"); writer.int(maxItems)
        case .integer(let range):
            writer.key("type"); writer.string("integer")
            // The overlap may not go below the platform's floor: the effective minimum.
            let floor = spec.name == "overlap_minutes" ? definition.overlapFloorMinutes : range.lowerBound
            writer.key("minimum"); writer.int(max(range.lowerBound, floor))
            writer.key("maximum"); writer.int(range.upperBound)
        case .oneOf(let options):
            writer.key("type"); writer.string("one_of")
            writer.key("options"); writeOptions(options.map { ($0, spec.optionLabels[$0] ?? $0) }, into: &writer)
        case .subsetOf:
            // Only this platform's streams, whatever the schema allows across platforms.
            writer.key("type"); writer.string("subset_of")
            writer.key("options"); writeOptions(definition.streams.map { ($0.name, $0.label) }, into: &writer)
        }
        writer.key("default")
        if let value = spec.defaultValue { writer.value(value) } else { writer.null() }
        writer.key("placeholder"); writer.string(spec.placeholder)
        writer.endObject()
    }

    private static func writeOptions(_ options: [(value: String, label: String)], into writer: inout JSONWriter) {
        writer.beginArray()
        for option in options {
            writer.beginObject()
            writer.key("value"); writer.string(option.value)
            writer.key("label"); writer.string(option.label)
            writer.endObject()
        }
        writer.endArray()
    }

    private static func write(_ form: CredentialForm, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("choice")
        if let choice = form.choice {
            writer.beginObject()
            writer.key("name"); writer.string(choice.name)
            writer.key("label"); writer.string(choice.label)
            writer.key("help"); writer.string(choice.help)
            writer.key("options"); writeOptions(choice.options.map { ($0.value, $0.label) }, into: &writer)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("fields")
        writer.beginArray()
        for field in form.fields {
            writer.beginObject()
            writer.key("name"); writer.string(field.name)
            writer.key("label"); writer.string(field.label)
            writer.key("kind"); writer.string(field.kind.rawValue)
            writer.key("required"); writer.bool(field.required)
            writer.key("secret"); writer.bool(field.secret)
            writer.key("help"); writer.string(field.help)
            writer.key("placeholder"); writer.string(field.placeholder)
            writer.key("alternative"); writer.string(field.alternative)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    private static func write(_ cloud: CloudProfile, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("name"); writer.string(cloud.name)
        writer.key("label"); writer.string(cloud.label)
        writer.key("endpoints")
        writer.beginObject()
        for endpoint in cloud.endpoints {
            writer.key(endpoint.setting); writer.string(endpoint.url)
        }
        writer.endObject()
        writer.endObject()
    }
}
