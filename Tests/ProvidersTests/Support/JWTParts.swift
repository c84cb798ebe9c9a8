import Foundation
import Testing

/// Reading JWTs back in tests, independently of the code under test.
func decodeBase64URL(_ text: some StringProtocol) -> [UInt8]? {
    var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while standard.count % 4 != 0 { standard += "=" }
    return Data(base64Encoded: standard).map(Array.init)
}

/// A JWT part (header or claims) as a flat object of strings and integers, comparable with `==`.
func jwtPart(_ part: Substring) throws -> [String: AnyHashable] {
    let data = Data(try #require(decodeBase64URL(part)))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return object.compactMapValues { value -> AnyHashable? in
        if let text = value as? String { return text }
        if let number = value as? NSNumber { return number.intValue }
        return nil
    }
}
