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
    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct Route: Sendable {
        var method: String
        var segments: [Segment]
        var handler: Handler
    }

    public enum Match {
        case found(Handler, RouteParameters)
        case methodNotAllowed([String])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var best: (route: Route, params: RouteParameters, literals: Int)?
        var allowed: [String] = []
        var bestLiteralsForPath = -1
        for route in routes where route.segments.count == parts.count {
            var params = RouteParameters()
            var literals = 0
            var matches = true
            for (segment, part) in zip(route.segments, parts) {
                switch segment {
                case .literal(let text):
                    if text != part { matches = false } else { literals += 1 }
                case .parameter(let name):
                    params.set(name, String(part))
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
            if route.method == method { best = (route, params, literals) }
        }
        if let best { return .found(best.route.handler, best.params) }
        if !allowed.isEmpty { return .methodNotAllowed(allowed) }
        return .notFound
    }
}
