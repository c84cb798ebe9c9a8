/// Route parameters captured from `{name}` segments.
public struct RouteParameters: Sendable {
    private var values: [(String, String)] = []
    public init() {}
    mutating func set(_ name: String, _ value: String) { values.append((name, value)) }
    public subscript(_ name: String) -> String? { values.first { $0.0 == name }?.1 }
}

/// Maps method + path patterns (`/v1/things/{id}`) to handlers. Literal segments
/// win over parameters, so `/poll/configurations` is not taken for an `{id}`.
public struct Router<Handler: Sendable>: Sendable {
    public enum Match {
        case found(Handler, RouteParameters)
        case methodNotAllowed([String])
        case notFound
    }

    private var table = RouteTable()
    private var handlers: [Handler] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        table.add(method, pattern)
        handlers.append(handler)
    }

    public func match(method: String, path: String) -> Match {
        switch table.match(method: method, path: path) {
        case .found(let index, let parameters): .found(handlers[index], parameters)
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed)
        case .notFound: .notFound
        }
    }
}

/// The patterns of a `Router`, matched without generics: the router is
/// specialized in its callers' modules, and generic matching there cost a
/// metadata lookup per comparison on every request.
struct RouteTable: Sendable {
    enum Match {
        case found(Int, RouteParameters)
        case methodNotAllowed([String])
        case notFound
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct Route: Sendable {
        var method: String
        var segments: [Segment]
    }

    private var routes: [Route] = []

    mutating func add(_ method: String, _ pattern: String) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        routes.append(Route(method: method, segments: segments))
    }

    func match(method: String, path: String) -> Match {
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        var best: (index: Int, params: RouteParameters)?
        var allowed: [String] = []
        var bestLiteralsForPath = -1
        for (index, route) in routes.enumerated() where route.segments.count == parts.count {
            var params = RouteParameters()
            var literals = 0
            var matches = true
            for (segment, part) in zip(route.segments, parts) {
                switch segment {
                case .literal(let text):
                    if text.utf8.elementsEqual(part) { literals += 1 } else { matches = false }
                case .parameter(let name):
                    params.set(name, String(decoding: part, as: UTF8.self))
                }
                if !matches { break }
            }
            guard matches else { continue }
            // Only the most specific shape of path counts for 405's Allow list.
            if literals > bestLiteralsForPath {
                bestLiteralsForPath = literals
                allowed = []
                best = nil
            } else if literals < bestLiteralsForPath {
                continue
            }
            allowed.append(route.method)
            if route.method == method { best = (index, params) }
        }
        if let best { return .found(best.index, best.params) }
        if !allowed.isEmpty { return .methodNotAllowed(allowed) }
        return .notFound
    }
}
