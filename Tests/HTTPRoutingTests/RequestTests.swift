import Testing
import HTTPRouting

@Suite struct RequestTests {
    private func items(_ query: String) -> [String] {
        Request(method: "GET", path: "/", rawQuery: query).queryItems.map { "\($0.name)=\($0.value)" }
    }

    @Test(arguments: [
        ("", [String]()),
        ("limit=10", ["limit=10"]),
        ("a=1&b=2&a=3", ["a=1", "b=2", "a=3"]),  // repeats kept, in order
        ("q=hello+world%21", ["q=hello world!"]),
        ("name=%E2%9C%93%20ok", ["name=✓ ok"]),
        ("name=%c3%a9", ["name=é"]),  // lowercase hex
        ("plus=%2B", ["plus=+"]),
        ("k%20ey=v", ["k ey=v"]),
        ("flag", ["flag="]),
        ("=v", ["=v"]),
        ("a=b=c", ["a=b=c"]),
        ("&&a=1&", ["a=1"]),
    ])
    func decodesPercentAndPlus(query: String, expected: [String]) {
        #expect(items(query) == expected)
    }

    // A malformed escape or invalid UTF-8 keeps the raw text rather than failing the request.
    @Test(arguments: [
        ("a=%zz", ["a=%zz"]),
        ("a=%4", ["a=%4"]),
        ("a=100%", ["a=100%"]),
        ("a=%FF", ["a=%FF"]),
        ("a=%C3", ["a=%C3"]),
        ("bad%G1=x+y", ["bad%G1=x y"]),
    ])
    func malformedEscapesAreKeptRaw(query: String, expected: [String]) {
        #expect(items(query) == expected)
    }

    @Test func headersAreLookedUpCaseInsensitively() {
        let request = Request(method: "GET", path: "/", headers: ["content-type": "application/json"])
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("CONTENT-TYPE") == "application/json")
        #expect(request.header("Accept") == nil)
    }
}
