import JSONBytes
import Testing

@Suite("RawJSON on a Microsoft Graph page")
struct ScannerGraphPageTests {
    /// What the poller asks of every event, as one selector.
    static let normalizerFields = JSONPathSelector([
        ["activityDateTime"],
        ["initiatedBy", "user", "userPrincipalName"],
        ["initiatedBy", "app", "displayName"],
        ["activityDisplayName"],
        ["result"],
        ["initiatedBy", "user", "ipAddress"],
        ["loggedByService"],
    ])

    static func fields(of event: RawJSON) -> GraphPage.Fields {
        let found = normalizerFields.select(in: event)
        return GraphPage.Fields(
            timestamp: found[0]?.stringValue,
            user: found[1]?.stringValue ?? found[2]?.stringValue,
            activity: found[3]?.stringValue,
            result: found[4]?.stringValue,
            sourceIP: found[5]?.stringValue,
            application: found[2]?.stringValue ?? found[6]?.stringValue)
    }

    @Test(arguments: [GraphPage.compact, GraphPage.pretty])
    func onePassOverTheTopLevelGivesEventsAndNextLink(page: String) throws {
        let json = try RawJSON(validating: page)
        #expect(json.kind == .object)
        #expect(json.members.map { $0.key.stringValue } == ["@odata.context", "value", "@odata.nextLink"])

        let top = JSONPathSelector([["value"], ["@odata.nextLink"], ["@odata.deltaLink"]]).select(in: json)
        #expect(top[1]?.stringValue == GraphPage.nextLink)
        #expect(top[2] == nil)
        let events = Array(top[0]?.elements ?? .init())
        #expect(events.count == 3)
        // Each element is the event's exact bytes, ready to be kept as raw_log.
        #expect(events.map(\.text) == GraphPage.events)
        #expect(events.map(\.kind) == [.object, .object, .object])
        #expect(events.map(Self.fields(of:)) == GraphPage.expected)
        #expect(json["@odata.context"]?.stringValue == GraphPage.context)
    }

    @Test func scannerAgreesWithTheTreeParser() throws {
        let bytes = Array(GraphPage.compact.utf8)
        let tree = try JSONValue.parse(bytes)
        let json = try RawJSON(validating: bytes)
        #expect(json.decoded() == tree)
        #expect(json.range == 0..<bytes.count)
        for (index, event) in json["value"]!.elements.enumerated() {
            #expect(event.decoded() == tree["value"]?[index])
            // An event's slice is a complete JSON text on its own.
            #expect(try JSONValue.parse(event.bytes) == tree["value"]?[index])
        }
    }

    @Test func keyPathsReachNestedValuesAndTellNullFromAbsent() throws {
        let events = Array(try RawJSON(validating: GraphPage.compact)["value"]!.elements)
        let user = events[0][path: ["initiatedBy", "user"]]
        #expect(user?.kind == .object)
        #expect(user?["displayName"]?.stringValue == "Søren O'Brien")
        #expect(user?["homeTenantId"]?.isNull == true)
        #expect(user?["homeTenantId"]?.stringValue == nil)
        #expect(user?["noSuchKey"] == nil)
        #expect(events[0][path: ["initiatedBy", "app"]]?.isNull == true)
        #expect(events[0][path: ["initiatedBy", "app", "displayName"]] == nil)
        #expect(events[0][path: []]?.range == events[0].range)

        // The escaped key "us\u0065r" is found as "user".
        #expect(events[1][path: ["initiatedBy", "user"]]?.isNull == true)
        #expect(events[1]["targetResources"]?[0]?["displayName"]?.stringValue == #"C:\Program Files\HR \"Sync\""#)
        #expect(events[1]["targetResources"]?[1]?["groupType"]?.stringValue == "unifiedGroups")
        #expect(events[1]["targetResources"]?[2] == nil)
        #expect(events[1]["additionalDetails"]?[0]?["value"]?.stringValue == "https://hr.contoso.example/sync?a=1&b=[2]")

        let modified = events[0]["targetResources"]?[0]?["modifiedProperties"]
        #expect(modified?[1]?["oldValue"]?.stringValue == #"["Sales}]"]"#)
        #expect(modified?[1]?["newValue"]?.stringValue == #"["R&D {east}"]"#)

        let extra = events[2]["extra"]
        #expect(extra?["count"]?.intValue == -12)
        #expect(extra?["ratio"]?.intValue == 1500)
        #expect(extra?["ratio"]?.doubleValue == 1500)
        #expect(extra?["enabled"]?.boolValue == true)
        #expect(extra?["disabled"]?.boolValue == false)
        #expect(extra?["nested"]?.members.map { $0 }.isEmpty == true)
        #expect(events[2]["targetResources"]?.elements.map { $0 }.isEmpty == true)
        #expect(events[2][path: ["initiatedBy", "user", "displayName"]]?.stringValue == "Mei Chen 陈美")
    }

    @Test func membersYieldKeysAndValueRanges() throws {
        let bytes = Array(#"{"a" : 1 , "b\"c":[{"x":"]"}] ,"d":null}"#.utf8)
        let json = try RawJSON(validating: bytes)
        let members = Array(json.members)
        #expect(members.map { $0.key.stringValue } == ["a", "b\"c", "d"])
        #expect(members.map { $0.value.text } == ["1", #"[{"x":"]"}]"#, "null"])
        #expect(members[1].value.range == 18..<29)
        #expect(members[1].key.stringEquals("b\"c"))
        #expect(!members[1].key.stringEquals("b\\\"c"))
        #expect(json["b\"c"]?[0]?["x"]?.stringValue == "]")
    }

    @Test func scalarsAndWrongKinds() throws {
        let json = try RawJSON(validating: #"  [ "s\u00e9", 7, true, null, {} ]  "#)
        #expect(json.text == #"[ "s\u00e9", 7, true, null, {} ]"#)
        let items = Array(json.elements)
        #expect(items.map(\.kind) == [.string, .number, .bool, .null, .object])
        #expect(items[0].stringValue == "sé")
        #expect(items[0].stringEquals("sé"))
        #expect(!items[0].stringEquals("s"))
        #expect(items[0].intValue == nil)
        #expect(items[1].intValue == 7)
        #expect(items[1].stringValue == nil)
        #expect(items[1].boolValue == nil)
        #expect(items[2].boolValue == true)
        #expect(items[3].isNull)
        #expect(!items[4].isNull)
        #expect(json["key"] == nil)
        #expect(json.members.map { $0 }.isEmpty)
        #expect(items[4].elements.map { $0 }.isEmpty)
        #expect(items[0].elements.map { $0 }.isEmpty)
        #expect(json[-1] == nil)
        #expect(json[4]?.kind == .object)
        #expect(json[5] == nil)
        let scalar = try RawJSON(validating: "42")
        #expect(scalar.intValue == 42)
        #expect(try RawJSON(validating: "-1.25e1").doubleValue == -12.5)
    }

    @Test func withUnsafeBytesSeesOnlyTheValue() throws {
        let json = try RawJSON(validating: #"{"k":[1,2]}"#)
        let inner = json["k"]!
        let copied = inner.withUnsafeBytes { Array($0) }
        #expect(copied == Array("[1,2]".utf8))
        #expect(inner.document.count == 11)
    }
}

@Suite("RawJSON on large documents")
struct ScannerLargeDocumentTests {
    /// A page of `count` events, big enough that its containers are indexed.
    static func page(events count: Int) -> String {
        let events = (0..<count).map { GraphPage.events[$0 % 3] }
        return #"{"@odata.context":"\#(GraphPage.context)","value":["# + events.joined(separator: ",")
            + #"],"@odata.nextLink":\#(GraphPage.nextLinkJSON)}"#
    }

    @Test func bigPageScansLikeASmallOne() throws {
        let text = Self.page(events: 300)
        #expect(text.utf8.count > 250_000)
        let json = try RawJSON(validating: text)
        #expect(json["@odata.nextLink"]?.stringValue == GraphPage.nextLink)
        let top = JSONPathSelector([["value"], ["@odata.nextLink"]]).select(in: json)
        #expect(top[1]?.stringValue == GraphPage.nextLink)
        let events = Array(top[0]?.elements ?? .init())
        #expect(events.count == 300)
        #expect(events[299].text == GraphPage.events[299 % 3])
        #expect(events.map(ScannerGraphPageTests.fields(of:)) == (0..<300).map { GraphPage.expected[$0 % 3] })
        #expect(json.members.map { $0.value.range.count } == [GraphPage.context.utf8.count + 2,
                                                             top[0]!.range.count, GraphPage.nextLinkJSON.utf8.count])
        #expect(json.decoded() == (try JSONValue.parse(Array(text.utf8))))
    }

    @Test func nestedBigContainersAreSkippedExactly() throws {
        let big = "[" + (0..<3000).map { #"{"k":"\#($0)]}"}"# }.joined(separator: ",") + "]"
        let text = #"{"a":[\#(big),\#(big)],"b":{"c":\#(big),"d":"after"},"e":[\#(big)]}"#
        let json = try RawJSON(validating: text)
        #expect(json["b"]?["d"]?.stringValue == "after")
        #expect(json["a"]?[1]?.elements.map { $0 }.count == 3000)
        #expect(json["e"]?[0]?[2999]?["k"]?.stringValue == "2999]}")
        let found = JSONPathSelector([["b", "d"], ["e"], ["a"]]).select(in: json)
        #expect(found[0]?.stringValue == "after")
        #expect(found[1]?.text == "[\(big)]")
        #expect(found[2]?.text == "[\(big),\(big)]")
    }
}
