/// A Microsoft Graph `auditLogs/directoryAudits` page built by hand, with the
/// awkward parts real pages have: escaped quotes and backslashes, brackets inside
/// strings, `\/`, `\u` escapes and surrogate pairs, literal non-ASCII, nulls, an
/// escaped key, and `@odata.nextLink` after the `value` array.
enum GraphPage {
    /// User-initiated; quotes and brackets inside strings, literal non-ASCII.
    static let event1 = #"{"id":"Directory_4ZQ1_00A1B2C3D4","category":"UserManagement","correlationId":"0f9e8d7c-6b5a-4c3d-9e1f-a2b3c4d5e6f7","result":"success","resultReason":"","activityDisplayName":"Update \"VIP\" user","activityDateTime":"2024-05-01T00:00:01.1234567Z","loggedByService":"Core Directory","operationType":"Update","initiatedBy":{"app":null,"user":{"id":"5c1d2e3f-aaaa-4bbb-8ccc-123456789abc","displayName":"Søren O'Brien","userPrincipalName":"soren.obrien@contoso.onmicrosoft.com","ipAddress":"203.0.113.7","userType":"Member","homeTenantId":null,"homeTenantName":null}},"targetResources":[{"id":"9a8b7c6d-1111-4222-8333-444455556666","displayName":"Müller, Jamal","type":"User","userPrincipalName":"jamal.muller@contoso.onmicrosoft.com","groupType":null,"modifiedProperties":[{"displayName":"AccountEnabled","oldValue":"[true]","newValue":"[false]"},{"displayName":"Department","oldValue":"[\"Sales}]\"]","newValue":"[\"R&D {east}\"]"}]}],"additionalDetails":[{"key":"User-Agent","value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"},{"key":"UserType","value":"Member"}]}"#

    /// App-initiated; `\u` escapes, a surrogate pair, backslashes, `\/`, and the
    /// key "user" spelled with an escape.
    static let event2 = #"{"id":"Directory_7TT2_00FFEE0011","category":"ApplicationManagement","correlationId":"11111111-2222-4333-8444-555555555555","result":"failure","resultReason":"Microsoft.Online.Workflows.ObjectNotFoundException","activityDisplayName":"Consent to application \u2013 Caf\u00e9 \ud83d\ude00","activityDateTime":"2024-05-01T00:00:02.0000001Z","loggedByService":"Core Directory","operationType":"Assign","initiatedBy":{"app":{"appId":"00000003-0000-0000-c000-000000000000","displayName":"Contoso HR Sync","servicePrincipalId":"aaaa0000-bbbb-4ccc-8ddd-eeeeffff0000","servicePrincipalName":null},"us\u0065r":null},"targetResources":[{"id":"c0ffee00-0000-4000-8000-000000000001","displayName":"C:\\Program Files\\HR \\\"Sync\\\"","type":"ServicePrincipal","userPrincipalName":null,"groupType":null,"modifiedProperties":[]},{"id":"c0ffee00-0000-4000-8000-000000000002","displayName":"grp-007","type":"Group","userPrincipalName":null,"groupType":"unifiedGroups","modifiedProperties":[]}],"additionalDetails":[{"key":"AppUrl","value":"https:\/\/hr.contoso.example\/sync?a=1&b=[2]"}]}"#

    /// Pretty-printed; a null IP, literal emoji and CJK, numbers and booleans.
    static let event3 = #"""
        {
          "id" : "Directory_0AB3_0000000003",
          "category" : "Policy",
          "correlationId" : "33333333-4444-4555-8666-777777777777",
          "result" : "success",
          "resultReason" : "",
          "activityDisplayName" : "Update conditional access policy 🔐",
          "activityDateTime" : "2024-05-01T00:00:03.5Z",
          "loggedByService" : "Conditional Access",
          "operationType" : "Update",
          "initiatedBy" : { "app" : null, "user" : { "id" : "e3e3e3e3-0000-4000-8000-000000000003",
            "displayName" : "Mei Chen 陈美", "userPrincipalName" : "mei.chen@contoso.onmicrosoft.com",
            "ipAddress" : null, "userType" : "Member" } },
          "targetResources" : [ ],
          "additionalDetails" : [ { "key" : "riskScore", "value" : "-12" } ],
          "extra" : { "count" : -12, "ratio" : 1.5e3, "enabled" : true, "disabled" : false, "nested" : { } }
        }
        """#

    static let events = [event1, event2, event3]

    static let context = "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits"
    static let nextLinkJSON = #""https:\/\/graph.microsoft.com/v1.0/auditLogs/directoryAudits?$top=1000&$skiptoken=9f86d081884c7d65-0002""#
    static let nextLink = "https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$top=1000&$skiptoken=9f86d081884c7d65-0002"

    /// The page as Graph sends it: no whitespace between tokens (event 3 aside).
    static let compact = #"{"@odata.context":"\#(context)","value":["#
        + events.joined(separator: ",") + #"],"@odata.nextLink":\#(nextLinkJSON)}"#

    /// A one-event page (event 2, the one with the most escapes), for exhaustive
    /// byte-by-byte tests.
    static let small = #"{"@odata.context":"\#(context)","value":["#
        + event2 + #"],"@odata.nextLink":\#(nextLinkJSON)}"#

    /// The same page with whitespace between every top-level token.
    static let pretty = "\r\n{ \"@odata.context\" :\t\"\(context)\" ,\n  \"value\" : [\n    "
        + events.joined(separator: " ,\n    ") + "\n  ] ,\n  \"@odata.nextLink\" : \(nextLinkJSON)\n}\n"

    /// The six fields a normalizer reads, as the expected answers for each event.
    struct Fields: Sendable, Equatable {
        var timestamp: String?
        var user: String?
        var activity: String?
        var result: String?
        var sourceIP: String?
        var application: String?
    }

    static let expected: [Fields] = [
        Fields(timestamp: "2024-05-01T00:00:01.1234567Z", user: "soren.obrien@contoso.onmicrosoft.com",
               activity: "Update \"VIP\" user", result: "success", sourceIP: "203.0.113.7",
               application: "Core Directory"),
        Fields(timestamp: "2024-05-01T00:00:02.0000001Z", user: "Contoso HR Sync",
               activity: "Consent to application – Café 😀", result: "failure", sourceIP: nil,
               application: "Contoso HR Sync"),
        Fields(timestamp: "2024-05-01T00:00:03.5Z", user: "mei.chen@contoso.onmicrosoft.com",
               activity: "Update conditional access policy 🔐", result: "success", sourceIP: nil,
               application: "Conditional Access"),
    ]
}
