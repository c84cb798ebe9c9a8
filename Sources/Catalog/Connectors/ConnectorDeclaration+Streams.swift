internal import JSONBytes

extension ConnectorDeclaration {
    static func stream(_ reader: DeclarationReader, scope: NameScope) throws(DeclarationProblem) -> Stream {
        _ = try reader.object(allowing: ["name", "label", "log_type", "default_overlap_minutes", "order", "request",
                                         "paging", "records", "id", "time", "mapping", "max_page_size", "ok_path"])
        let orderReader = reader.member("order")
        let order = try orderReader?.string() ?? "unspecified"
        guard order == "oldest_first" || order == "unspecified" else {
            throw orderReader!.fail("must be oldest_first (the API sorts ascending by the record time) or unspecified")
        }
        let idReader = try reader.required("id")
        let idPaths: [JSONPath]
        if case .array = idReader.value {
            idPaths = try idReader.array().map { (item) throws(DeclarationProblem) in try item.jsonPath() }
            guard !idPaths.isEmpty else { throw idReader.fail("must name at least one path") }
        } else {
            idPaths = [try idReader.jsonPath()]
        }
        let timeReader = try reader.required("time")
        _ = try timeReader.object(allowing: ["path", "format"])
        let time = TimeField(path: try timeReader.required("path").jsonPath(),
                             format: try timeReader.required("format").oneOf(TimeFormat.self, TimeFormat.allCases))
        let request = try self.request(try reader.required("request"), scope: scope)
        return Stream(
            name: try reader.required("name").identifier(), label: try reader.required("label").nonEmptyString(),
            logType: try reader.required("log_type").identifier(maxLength: 64),
            defaultOverlapMinutes: try reader.member("default_overlap_minutes")?.int(1...2880) ?? 30,
            oldestFirst: order == "oldest_first", request: request,
            paging: try paging(try reader.required("paging"), request: request),
            records: try reader.required("records").jsonPath(), idPaths: idPaths, time: time,
            mapping: try mapping(try reader.required("mapping")),
            maxPageSize: try reader.member("max_page_size")?.int(1...10_000) ?? 100,
            okPath: try reader.member("ok_path")?.jsonPath())
    }

    private static func request(_ reader: DeclarationReader, scope: NameScope) throws(DeclarationProblem) -> Request {
        _ = try reader.object(allowing: ["method", "url", "query", "headers", "time_format"])
        let methodReader = reader.member("method")
        let method = try methodReader?.string() ?? "GET"
        guard method == "GET" else { throw methodReader!.fail("must be GET (audit-log reads)") }
        let urlReader = try reader.required("url")
        let url = try urlReader.template()
        try scope.checkURL(url, at: urlReader, allowWindow: true)
        func pairs(_ name: String) throws(DeclarationProblem) -> [(name: String, value: Template)] {
            guard let object = reader.member(name) else { return [] }
            var found: [(name: String, value: Template)] = []
            guard case .object(let members) = object.value else { throw object.fail("must be an object") }
            for member in members {
                let item = DeclarationReader(member.value, path: "\(object.path).\(member.key)")
                let value = try item.template()
                try scope.check(value, at: item, allowWindow: true)
                found.append((member.key, value))
            }
            return found
        }
        let query = try pairs("query")
        if query.contains(where: { $0.value.carriesCredential }) {
            throw DeclarationProblem(path: "\(reader.path).query", message: "must not carry credentials (URLs end up in logs); use auth")
        }
        return Request(method: method, url: url, query: query, headers: try pairs("headers"),
                       timeFormat: try reader.required("time_format").oneOf(TimeFormat.self, TimeFormat.allCases))
    }

    private static func paging(_ reader: DeclarationReader, request: Request) throws(DeclarationProblem) -> Paging {
        _ = try reader.object(allowing: ["kind", "path", "parameter"])
        let kindReader = try reader.required("kind")
        switch try kindReader.string() {
        case "link_header": return .linkHeader
        case "next_url": return .nextURL(path: try reader.required("path").jsonPath())
        case "next_token":
            let parameter = try reader.required("parameter").nonEmptyString()
            return .nextToken(path: try reader.required("path").jsonPath(), parameter: parameter)
        case "offset":
            let parameter = try reader.required("parameter").nonEmptyString()
            guard request.query.contains(where: { $0.value.placeholders.contains(.pageSize) }) else {
                throw kindReader.fail("offset paging needs a query parameter with {page_size} (a short page is the last)")
            }
            return .offset(parameter: parameter)
        case "none": return .none
        default:
            throw kindReader.fail("must be one of link_header, next_url, next_token, offset, none")
        }
    }

    private static func mapping(_ reader: DeclarationReader) throws(DeclarationProblem) -> Mapping {
        _ = try reader.object(allowing: ["user", "activity", "result", "source_ip", "application"])
        func rule(_ name: String) throws(DeclarationProblem) -> ValueRule? {
            try reader.member(name).map { (member) throws(DeclarationProblem) in try valueRule(member) }
        }
        let result = try rule("result")
        if let result {
            let outcomes: Set<String> = ["success", "failure"]
            guard case .map(_, let table, let otherwise) = result, table.values.allSatisfy(outcomes.contains),
                  otherwise.map(outcomes.contains) ?? true else {
                throw DeclarationProblem(path: "\(reader.path).result", message: "must map the record's values to success or failure (\"map\", optionally \"otherwise\")")
            }
        }
        return Mapping(user: try rule("user"), activity: try rule("activity"), result: result,
                       sourceIP: try rule("source_ip"), application: try rule("application"))
    }

    /// `"a.b"` (a path), `{"path": "a.b"}`, `{"const": "Okta"}`, `{"first": [rule, …]}`,
    /// `{"path"|"first"…, "map": {"SUCCESS": "success"}, "otherwise": "failure"}`.
    static func valueRule(_ reader: DeclarationReader) throws(DeclarationProblem) -> ValueRule {
        if case .string = reader.value { return .path(try reader.jsonPath()) }
        let members = try reader.object(allowing: ["path", "const", "first", "map", "otherwise"])
        let sources = members.filter { ["path", "const", "first"].contains($0.key) }
        guard sources.count == 1 else { throw reader.fail("needs exactly one of path, const, first") }
        var rule: ValueRule
        switch sources[0].key {
        case "path": rule = .path(try reader.required("path").jsonPath())
        case "const": rule = .constant(try reader.required("const").string())
        default:
            let list = try reader.required("first").array()
            guard !list.isEmpty else { throw DeclarationProblem(path: "\(reader.path).first", message: "must not be empty") }
            rule = .first(try list.map { (item) throws(DeclarationProblem) in try valueRule(item) })
        }
        if let mapReader = reader.member("map") {
            guard case .object(let pairs) = mapReader.value else { throw mapReader.fail("must be an object of value → value") }
            var table: [String: String] = [:]
            for pair in pairs {
                guard let text = pair.value.stringValue else {
                    throw DeclarationProblem(path: "\(mapReader.path).\(pair.key)", message: "must be a string")
                }
                table[pair.key] = text
            }
            rule = .map(rule, table: table, otherwise: try reader.member("otherwise")?.string())
        } else if reader.member("otherwise") != nil {
            throw DeclarationProblem(path: "\(reader.path).otherwise", message: "goes with map")
        }
        return rule
    }
}
