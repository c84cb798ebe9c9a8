/// Graph pages written for a test (recorded pages hold a fixed few events; a slice that must
/// look dense needs dozens of pages with their own links): the same wire format, `value` and
/// `@odata.nextLink`, with only the members the reader and the transform use.
public enum GraphPages {
    public static let directoryAudits = "https://graph.microsoft.com/v1.0/auditLogs/directoryAudits"

    /// A page of directory audits, each `(id, activityDateTime)`, and the next page's `$skiptoken`.
    public static func directoryAudits(_ events: [(id: String, time: String)], next skiptoken: String? = nil) -> ScriptedReply {
        let records = events.map { event in
            #"{"id":"\#(event.id)","category":"UserManagement","result":"success","activityDisplayName":"Update user","activityDateTime":"\#(event.time)","loggedByService":"Core Directory","initiatedBy":{"user":{"userPrincipalName":"admin@contoso.onmicrosoft.com","ipAddress":"203.0.113.7"}}}"#
        }
        let link = skiptoken.map { #","@odata.nextLink":"\#(directoryAudits)?$top=1000&$skiptoken=\#($0)""# } ?? ""
        return .json(#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits"\#(link),"value":[\#(records.joined(separator: ","))]}"#)
    }

    /// The request for the page after `skiptoken` (the first page when nil).
    public static func request(after skiptoken: String?) -> RequestMatcher {
        .get(directoryAudits, query: skiptoken.map { [("$skiptoken", $0)] } ?? [("$orderby", "activityDateTime asc")])
    }
}
