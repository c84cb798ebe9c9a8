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

    /// One key of the path tree, flattened so the walk touches no reference
    /// counts: node 0 is the root (the object itself); a node's children are
    /// `nodes[firstChild..<firstChild + childCount]`.
    struct Node: Sendable {
        var key: Range<Int> = 0..<0  // in `keyBytes`
        var prefix: UInt64 = 0  // first bytes of the key, see `SWAR.prefix`
        var firstChild = 0
        var childCount = 0
        var ends: Range<Int> = 0..<0  // in `endingPaths`: the paths that end here
        var below = 0  // paths that end strictly below this node
    }

    let nodes: [Node]
    let keyBytes: [UInt8]
    let endingPaths: [Int]

    /// Compiles `paths` (key lists through nested objects; an empty path selects the
    /// object itself; repeated paths are answered alike).
    public init(_ paths: [[String]]) {
        self.paths = paths
        // Build a plain tree first, then lay it out breadth-first so that every
        // node's children are adjacent.
        final class Draft {
            let key: [UInt8]
            var children: [Draft] = []
            var ends: [Int] = []
            var below = 0
            init(key: [UInt8]) { self.key = key }
        }
        let root = Draft(key: [])
        for (index, path) in paths.enumerated() {
            var node = root
            for key in path {
                node.below += 1
                let utf8 = Array(key.utf8)
                if let child = node.children.first(where: { $0.key == utf8 }) {
                    node = child
                } else {
                    let child = Draft(key: utf8)
                    node.children.append(child)
                    node = child
                }
            }
            node.ends.append(index)
        }
        var order = [root]
        var nodes: [Node] = []
        var keyBytes: [UInt8] = []
        var endingPaths: [Int] = []
        var next = 0
        while next < order.count {
            let draft = order[next]
            next += 1
            var node = Node()
            node.key = keyBytes.count..<(keyBytes.count + draft.key.count)
            keyBytes.append(contentsOf: draft.key)
            node.prefix = draft.key.withUnsafeBufferPointer {
                $0.baseAddress.map { SWAR.prefix($0, 0, draft.key.count, end: draft.key.count) } ?? 0
            }
            node.ends = endingPaths.count..<(endingPaths.count + draft.ends.count)
            endingPaths.append(contentsOf: draft.ends)
            node.firstChild = order.count
            node.childCount = draft.children.count
            node.below = draft.below
            order.append(contentsOf: draft.children)
            nodes.append(node)
        }
        self.nodes = nodes
        self.keyBytes = keyBytes
        self.endingPaths = endingPaths
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
        withSelection(in: json) { selection in
            for k in 0..<paths.count { results[k] = selection[k] }
        }
    }

    /// The answers of one selection as byte ranges, for `withSelection(in:_:)`'s body only
    /// (it must not escape): no array, and a `RawJSON` (a reference to the document) only
    /// for the answers read.
    public struct Selection {
        @usableFromInline let json: RawJSON
        @usableFromInline let ranges: UnsafeBufferPointer<Range<Int>>

        @usableFromInline
        init(json: RawJSON, ranges: UnsafeBufferPointer<Range<Int>>) {
            self.json = json
            self.ranges = ranges
        }

        /// How many paths were selected.
        public var count: Int { ranges.count }

        /// The value at path `index`, nil where absent; as `select(in:)[index]`.
        public subscript(index: Int) -> RawJSON? {
            let range = ranges[index]
            return range.isEmpty ? nil : RawJSON(unchecked: json.storage, range: range)
        }
    }

    /// Selects like `select(in:)` and hands the answers to `body` without allocating:
    /// the per-event form for transforms. Inlinable so that each caller gets it
    /// specialized for its result type: unspecialized, every call instantiated generic
    /// metadata at run time.
    @inlinable
    public func withSelection<R>(in json: RawJSON, _ body: (Selection) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: paths.count) { ranges in
            fill(ranges, selecting: json)
            return body(Selection(json: json, ranges: UnsafeBufferPointer(ranges)))
        }
    }

    /// Writes the range of each path's value into `ranges` (`paths.count` of them); an empty
    /// range means absent, as no JSON value is zero bytes long.
    @usableFromInline
    func fill(_ ranges: UnsafeMutableBufferPointer<Range<Int>>, selecting json: RawJSON) {
        // The walk records ranges: plain data, no reference counting.
        ranges.initialize(repeating: 0..<0)
        for k in nodes[0].ends { ranges[endingPaths[k]] = json.range }
        guard json.kind == .object, nodes[0].below > 0 else { return }
        json.withValidated { bytes in
            nodes.withUnsafeBufferPointer { nodes in
                keyBytes.withUnsafeBufferPointer { keyBytes in
                    endingPaths.withUnsafeBufferPointer { endingPaths in
                        var walk = Walk(
                            bytes: bytes, nodes: nodes, keyBytes: keyBytes, endingPaths: endingPaths,
                            ranges: ranges, remaining: nodes[0].below)
                        _ = walk.object(at: json.range.lowerBound, node: 0)
                    }
                }
            }
        }
    }

    /// One selection pass over validated bytes.
    private struct Walk {
        let bytes: ValidatedBytes
        let nodes: UnsafeBufferPointer<Node>
        let keyBytes: UnsafeBufferPointer<UInt8>
        let endingPaths: UnsafeBufferPointer<Int>
        let ranges: UnsafeMutableBufferPointer<Range<Int>>
        /// Paths not yet answered; the walk stops when it reaches zero.
        var remaining: Int

        /// Scans the object at `start` for the children of `node`. Returns the end of
        /// the object, or nil if every path was answered and the walk stopped early.
        mutating func object(at start: Int, node: Int) -> Int? {
            let wanted = nodes[node].below
            guard var item = bytes.firstItem(start) else {
                remaining -= wanted
                return bytes.skipWhitespace(start + 1) + 1
            }
            var answered = 0
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
                        return bytes.skipContainer(openingAt: start, from: end)
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
                let valueEnd = bytes.skipValue(start)
                end = valueEnd
                for k in node.ends { ranges[endingPaths[k]] = start..<valueEnd }
                remaining -= node.ends.count
                if remaining == 0 { return (nil, 0) }
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

        @inline(__always)
        private func matchingChild(of node: Int, keyStart: Int, keyEnd: Int, escaped: Bool) -> Int? {
            let first = nodes[node].firstChild
            let children = first..<(first + nodes[node].childCount)
            if escaped {
                let decoded = StringDecoding.bytes(bytes.p, keyStart + 1, keyEnd - 1)
                return children.first { decoded.elementsEqual(keyBytes[nodes[$0].key]) }
            }
            let length = keyEnd - keyStart - 2
            let prefix = SWAR.prefix(bytes.p, keyStart + 1, length, end: bytes.end)
            for child in children where nodes[child].prefix == prefix && nodes[child].key.count == length {
                // The first 8 bytes matched (the prefix); compare the rest a word at a time,
                // the last word overlapping its predecessor rather than reading past the key.
                if length <= 8 { return child }
                let wanted = keyBytes.baseAddress! + nodes[child].key.lowerBound
                let found = bytes.p + keyStart + 1
                var k = 8
                while k &+ 8 < length, SWAR.load(found, k) == SWAR.load(wanted, k) { k &+= 8 }
                if k &+ 8 >= length, SWAR.load(found, length &- 8) == SWAR.load(wanted, length &- 8) { return child }
            }
            return nil
        }
    }
}
