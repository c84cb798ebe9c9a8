/// Picks several values out of an object in one pass, by key paths through nested
/// objects. Built once (e.g. per provider), used per event:
///
/// ```swift
/// let fields = JSONPathSelector([
///     ["activityDateTime"], ["activityDisplayName"], ["result"],
///     ["initiatedBy", "user", "userPrincipalName"], ["initiatedBy", "user", "ipAddress"],
///     ["initiatedBy", "app", "displayName"], ["loggedByService"],
/// ])
/// let found = fields.select(in: event)      // found[i] answers paths[i]
/// let user = found[3]?.stringValue ?? found[5]?.stringValue
/// ```
///
/// The paths form a tree that is walked with the document: a member whose key
/// starts no wanted path is skipped without a look inside, and the scan stops as
/// soon as every path is answered (found, or known absent because a parent was
/// missing, `null` or not an object). For Graph audit events that is before the
/// bulky `targetResources`. Results are `nil` for absent paths; a present `null`
/// is a value with `isNull`.
public struct JSONPathSelector: Sendable {
    /// The paths, in the order results are returned.
    public let paths: [[String]]

    /// One key of the path tree. Node 0 is the root (the object itself).
    struct Node: Sendable {
        var key: [UInt8]
        var children: [Int] = []
        /// Indices of the paths that end here.
        var ends: [Int] = []
        /// Number of paths that end strictly below this node.
        var below = 0
    }

    let nodes: [Node]

    /// Compiles `paths` (key lists through nested objects; an empty path selects the
    /// object itself; repeated paths are answered alike).
    public init(_ paths: [[String]]) {
        self.paths = paths
        var nodes = [Node(key: [])]
        for (index, path) in paths.enumerated() {
            var node = 0
            for key in path {
                nodes[node].below += 1
                let utf8 = Array(key.utf8)
                if let child = nodes[node].children.first(where: { nodes[$0].key == utf8 }) {
                    node = child
                } else {
                    nodes.append(Node(key: utf8))
                    nodes[node].children.append(nodes.count - 1)
                    node = nodes.count - 1
                }
            }
            nodes[node].ends.append(index)
        }
        self.nodes = nodes
    }

    /// The value at each path (in `paths` order), nil where absent. A value that is
    /// not an object answers only the empty path.
    public func select(in json: RawJSON) -> [RawJSON?] {
        var results = [RawJSON?](repeating: nil, count: paths.count)
        select(in: json, into: &results)
        return results
    }

    /// Like `select(in:)`, reusing `results` (resized to `paths.count`) so a loop over
    /// events allocates nothing for the answers.
    public func select(in json: RawJSON, into results: inout [RawJSON?]) {
        if results.count != paths.count {
            results = [RawJSON?](repeating: nil, count: paths.count)
        } else {
            for k in results.indices { results[k] = nil }
        }
        for index in nodes[0].ends { results[index] = json }
        guard json.kind == .object, nodes[0].below > 0 else { return }
        json.withValidated { bytes in
            var walk = Walk(bytes: bytes, nodes: nodes, document: json.document, remaining: nodes[0].below)
            // Move the caller's array in and out so it is written in place.
            swap(&walk.results, &results)
            _ = walk.object(at: json.range.lowerBound, node: 0)
            swap(&walk.results, &results)
        }
    }

    /// One selection pass over validated bytes.
    private struct Walk {
        let bytes: ValidatedBytes
        let nodes: [Node]
        let document: [UInt8]
        /// Paths not yet answered; the walk stops when it reaches zero.
        var remaining: Int
        var results: [RawJSON?] = []

        /// Scans the object at `start` for the children of `node`. Returns the end of
        /// the object, or nil if every path was answered and the walk stopped early.
        mutating func object(at start: Int, node: Int) -> Int? {
            guard var item = bytes.firstItem(start) else {
                remaining -= nodes[node].below
                return bytes.skipWhitespace(start + 1) + 1
            }
            var answered = 0
            let wanted = nodes[node].below
            while true {
                let (keyEnd, escaped, valueStart) = bytes.member(item)
                var valueEnd: Int?
                if let child = matchingChild(of: node, keyStart: item, keyEnd: keyEnd, escaped: escaped) {
                    let (end, count) = visit(child, valueAt: valueStart)
                    guard let end else { return nil }
                    valueEnd = end
                    answered += count
                    if remaining == 0 { return nil }
                    if answered == wanted {
                        // Nothing else wanted in here: jump to the closing bracket.
                        return bytes.skipContainerRest(end)
                    }
                }
                let (next, closeEnd) = bytes.nextItem(valueEnd ?? bytes.skipValue(valueStart))
                guard let next else {
                    remaining -= wanted - answered
                    return closeEnd
                }
                item = next
            }
        }

        /// Records the value at `start` for `child`'s paths and descends if needed.
        /// Returns the value's end (nil if the walk stopped) and how many paths at or
        /// below `child` are now answered.
        private mutating func visit(_ child: Int, valueAt start: Int) -> (end: Int?, answered: Int) {
            let node = nodes[child]
            var end: Int?
            if !node.ends.isEmpty {
                end = bytes.skipValue(start)
                for index in node.ends { results[index] = RawJSON(unchecked: document, range: start..<end!) }
                remaining -= node.ends.count
                if remaining == 0 { return (nil, node.ends.count) }
            }
            guard node.below > 0 else { return (end, node.ends.count) }
            if bytes.p[start] == ASCII.openBrace {
                guard let objectEnd = object(at: start, node: child) else { return (nil, 0) }
                end = objectEnd
            } else {
                // A null, scalar or array where an object was wanted: the deeper
                // paths are absent.
                remaining -= node.below
                if remaining == 0 { return (nil, 0) }
            }
            return (end ?? bytes.skipValue(start), node.ends.count + node.below)
        }

        private func matchingChild(of node: Int, keyStart: Int, keyEnd: Int, escaped: Bool) -> Int? {
            for child in nodes[node].children {
                let matched = nodes[child].key.withUnsafeBufferPointer {
                    bytes.keyEquals(keyStart, keyEnd, escaped: escaped, $0)
                }
                if matched { return child }
            }
            return nil
        }
    }
}
