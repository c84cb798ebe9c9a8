internal import HTTPRouting
internal import JSONBytes
internal import TextBasics

/// Reads a JSON object body: 415 for another media type, 400 for bad JSON.
enum JSONBody {
    static func object(of request: Request) throws(HTTPError) -> [(key: String, value: JSONValue)] {
        let type = request.header("content-type")?.split(separator: ";").first?
            .trimmed(" ").lowercased()
        guard type == "application/json" || type?.hasSuffix("+json") == true else {
            throw HTTPError.unsupportedMediaType
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(request.body, maxDepth: 32)
        } catch {
            throw HTTPError.badRequest("the body is not valid JSON: \(error.description)")
        }
        guard case .object(let members) = value else {
            throw HTTPError.badRequest("the body must be a JSON object")
        }
        return members
    }
}
