internal import Catalog
internal import JSONBytes
internal import UTCTime

/// Turns a declared stream's records into events: the id (joined when composite), the time
/// in the API's format, and the normalized fields by the declaration's rules.
struct ConnectorRecords {
    /// A value rule with its constants already as JSON values (written into events as is).
    indirect enum Rule {
        case path(JSONPath)
        case constant(RawJSON)
        case first([Rule])
        case map(Rule, table: [String: RawJSON], otherwise: RawJSON?)
    }

    let stream: ConnectorDeclaration.Stream
    let logType: String
    let user: Rule?
    let activity: Rule?
    let result: Rule?
    let sourceIP: Rule?
    let application: Rule?

    init(_ stream: ConnectorDeclaration.Stream) {
        self.stream = stream
        logType = stream.logType
        user = stream.mapping.user.map(Self.compile)
        activity = stream.mapping.activity.map(Self.compile)
        result = stream.mapping.result.map(Self.compile)
        sourceIP = stream.mapping.sourceIP.map(Self.compile)
        application = stream.mapping.application.map(Self.compile)
    }

    static func compile(_ rule: ConnectorDeclaration.ValueRule) -> Rule {
        switch rule {
        case .path(let path): .path(path)
        case .constant(let text): .constant(json(text))
        case .first(let rules): .first(rules.map(compile))
        case .map(let inner, let table, let otherwise):
            .map(compile(inner), table: table.mapValues(json), otherwise: otherwise.map(json))
        }
    }

    /// A string as a JSON value of its own (done once per declaration, not per event).
    private static func json(_ text: String) -> RawJSON {
        var writer = JSONWriter(reservingCapacity: text.utf8.count + 2)
        writer.string(text)
        // A string the writer escaped is valid JSON by construction.
        return try! RawJSON(validating: writer.bytes)
    }

    /// The records of a page: the array at `stream.records` (absent: none, as Google leaves out
    /// an empty `items`); nil when something else is there.
    func records(in page: RawJSON) -> RawJSON.Elements? {
        guard let found = stream.records.value(in: page), !found.isNull else { return RawJSON.Elements() }
        guard found.kind == .array else { return nil }
        return found.elements
    }

    /// The event of one record; nil when it lacks an id or a readable time (counted as dropped).
    func event(_ record: RawJSON) -> ProviderEvent? {
        var parts: [String] = []
        for path in stream.idPaths {
            guard let value = path.value(in: record), let text = ConnectorErrors.text(of: value), !text.isEmpty else { return nil }
            parts.append(text)
        }
        guard let timeValue = stream.time.path.value(in: record), let timeText = ConnectorErrors.text(of: timeValue),
              let time = stream.time.format.parse(timeText) else { return nil }
        let outcome = result.flatMap { evaluate($0, record) }.flatMap { $0.stringValue }.flatMap(EventResult.init(rawValue:))
        let fields = EventFields(user: user.flatMap { evaluate($0, record) }, activity: activity.flatMap { evaluate($0, record) },
                                 result: outcome, sourceIP: sourceIP.flatMap { evaluate($0, record) },
                                 application: application.flatMap { evaluate($0, record) })
        return ProviderEvent(id: parts.joined(separator: "|"), time: time, logType: logType, fields: fields, raw: record)
    }

    /// A rule's value: a non-empty string, a number or a boolean; nil otherwise.
    func evaluate(_ rule: Rule, _ record: RawJSON) -> RawJSON? {
        switch rule {
        case .path(let path):
            guard let value = path.value(in: record) else { return nil }
            switch value.kind {
            case .string: return value.range.count > 2 ? value : nil
            case .number, .bool: return value
            default: return nil
            }
        case .constant(let value):
            return value
        case .first(let rules):
            for inner in rules { if let value = evaluate(inner, record) { return value } }
            return nil
        case .map(let inner, let table, let otherwise):
            // Absent stays null; a value the table does not know is `otherwise`.
            guard let value = evaluate(inner, record), let key = ConnectorErrors.text(of: value) else { return nil }
            return table[key] ?? otherwise
        }
    }
}
