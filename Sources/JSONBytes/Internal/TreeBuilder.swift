/// Builds a `JSONValue` from a validated document. Separate from validation so that
/// the tree parser and the scanner share one definition of "valid"; this pass never
/// fails and is dominated by the allocations of the tree itself.
extension ValidatedBytes {
    /// The value starting at `i`; `i` is left just past it.
    func tree(_ i: inout Int) -> JSONValue {
        switch p[i] {
        case ASCII.openBrace:
            var members: [(key: String, value: JSONValue)] = []
            guard var item = firstItem(i) else {
                i = skipWhitespace(i &+ 1) &+ 1
                return .object(members)
            }
            while true {
                let (keyEnd, _, valueStart) = member(item)
                let key = StringDecoding.string(p, item &+ 1, keyEnd &- 1)
                i = valueStart
                members.append((key, tree(&i)))
                let (next, closeEnd) = nextItem(i)
                guard let next else {
                    i = closeEnd
                    return .object(members)
                }
                item = next
            }
        case ASCII.openBracket:
            var elements: [JSONValue] = []
            guard var item = firstItem(i) else {
                i = skipWhitespace(i &+ 1) &+ 1
                return .array(elements)
            }
            while true {
                i = item
                elements.append(tree(&i))
                let (next, closeEnd) = nextItem(i)
                guard let next else {
                    i = closeEnd
                    return .array(elements)
                }
                item = next
            }
        case ASCII.quote:
            let end = skipString(i).end
            defer { i = end }
            return .string(StringDecoding.string(p, i &+ 1, end &- 1))
        case ASCII.lowerT:
            i &+= 4
            return .bool(true)
        case ASCII.lowerF:
            i &+= 5
            return .bool(false)
        case ASCII.lowerN:
            i &+= 4
            return .null
        default:
            let end = skipValue(i)
            defer { i = end }
            return .number(String(decoding: UnsafeBufferPointer(start: p + i, count: end &- i), as: UTF8.self))
        }
    }
}
