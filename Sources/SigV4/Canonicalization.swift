internal import TextBasics

/// The pure string-building steps of SigV4's canonical request (AWS "Task 1").
enum Canonical {
    /// The canonical URI: dot segments and empty segments removed (unless `normalize` is off, as for S3),
    /// then each segment URI-encoded (unless `encode` is off, as for S3, whose wire path is used as is).
    ///
    /// The path is the one on the wire, so a wire `%20` becomes `%2520`: that is the "double encoding"
    /// AWS requires of every service but S3.
    static func uri(path: String, normalize: Bool, encode: Bool) -> String {
        let path = path.isEmpty ? "/" : path
        let joined: String
        if normalize {
            joined = normalized(path)
        } else {
            joined = path.hasPrefix("/") ? path : "/" + path
        }
        return encode ? URIEncoding.encode(joined.utf8, keepSlash: true) : joined
    }

    /// RFC 3986 remove_dot_segments plus collapsing of empty segments (`//`), which the suite's
    /// normalize-path cases expect: `//example//` → `/example/`, `/example/..` → `/`.
    static func normalized(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var output: [Substring] = []
        var endsWithSlash = path.hasSuffix("/")
        for (position, segment) in segments.enumerated() {
            let isLast = position == segments.count - 1
            switch segment {
            case "", ".":
                if isLast && segment == "." { endsWithSlash = true }
            case "..":
                _ = output.popLast()
                if isLast { endsWithSlash = true }
            default:
                output.append(segment)
            }
        }
        var result = "/" + output.joined(separator: "/")
        if endsWithSlash && !output.isEmpty { result += "/" }
        return result
    }

    /// The canonical query string: each `name=value` pair decoded, re-encoded the AWS way, and sorted
    /// byte-wise by encoded name, then encoded value. A parameter without `=` gets an empty value.
    static func query(_ rawQuery: String) -> String {
        guard !rawQuery.isEmpty else { return "" }
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for component in rawQuery.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: Substring.UTF8View.SubSequence
            let value: Substring.UTF8View.SubSequence
            if let equals = component.firstIndex(of: UInt8(ascii: "=")) {
                name = component[..<equals]
                value = component[component.index(after: equals)...]
            } else {
                name = component
                value = component[component.endIndex...]
            }
            pairs.append((
                Array(URIEncoding.encode(URIEncoding.decode(name)).utf8),
                Array(URIEncoding.encode(URIEncoding.decode(value)).utf8)
            ))
        }
        pairs.sort { lhs, rhs in
            lhs.name == rhs.name
                ? lhs.value.lexicographicallyPrecedes(rhs.value)
                : lhs.name.lexicographicallyPrecedes(rhs.name)
        }
        return pairs.map { String(decoding: $0.name, as: UTF8.self) + "=" + String(decoding: $0.value, as: UTF8.self) }
            .joined(separator: "&")
    }

    /// The canonical headers block (one `name:value\n` per distinct name, sorted) and the
    /// `SignedHeaders` list. Repeated names are joined with `,` in wire order.
    static func headers(
        _ headers: [(name: String, value: String)],
        multilineSeparator: String
    ) -> (block: String, signedHeaders: String) {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.trimmedSpacesAndTabs().lowercased()
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(headerValue(header.value, multilineSeparator: multilineSeparator))
        }
        let names = order.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var block = ""
        for name in names {
            block += name + ":" + values[name, default: []].joined(separator: ",") + "\n"
        }
        return (block, names.joined(separator: ";"))
    }

    /// A header value as SigV4 signs it: obsolete line folding unfolded (continuation lines joined
    /// with `multilineSeparator`), ends trimmed, runs of spaces and tabs squeezed to one space.
    static func headerValue(_ raw: String, multilineSeparator: String) -> String {
        let lines = raw.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        let unfolded = lines.map { $0.trimmedSpacesAndTabs() }.filter { !$0.isEmpty }.joined(separator: multilineSeparator)
        var result = ""
        var lastWasSpace = false
        for character in unfolded {
            if character == " " || character == "\t" {
                if !lastWasSpace { result.append(" ") }
                lastWasSpace = true
            } else {
                result.append(character)
                lastWasSpace = false
            }
        }
        return result
    }
}
