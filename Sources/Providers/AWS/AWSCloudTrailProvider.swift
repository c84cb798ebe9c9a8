internal import Catalog
internal import Foundation
internal import JSONBytes
internal import SigV4

/// AWS CloudTrail management events through `LookupEvents` (log_type `cloudtrail`),
/// one stream per source: the account and region its credentials name.
///
/// Pacing: LookupEvents allows 2 requests per second per account and region. The
/// account is identified by the access key id: sources sharing a key certainly
/// share an account, and the key is known before any request (GetCallerIdentity
/// would cost a call to STS, which a VPC-endpoint-only network may not reach).
/// Two different keys of one account get a budget each; CloudTrail then throttles
/// and the `ThrottlingException` backoff takes over.
public final class AWSCloudTrailProvider: CloudProvider {
    /// CloudTrail typically delivers an event "within an average of about 5 minutes" of the call,
    /// without guarantee: 15 minutes of overlap. Not the 30 of the Graph streams, because every
    /// slice re-reads its overlap and LookupEvents yields at most 50 events per request at
    /// 2 requests per second: the overlap is what a busy account pays for in every run.
    /// "The events list is sorted by time. The most recent event is listed first." (LookupEvents)
    public static let cloudTrail = StreamSpec(AWSCatalog.cloudTrail, order: .newestFirst)

    /// `cloudtrail`, unless the source's `settings.streams` leaves it out.
    public let streams: [StreamSpec]
    private let reader: CloudTrailReader

    /// Checks the credentials and the endpoint; sends nothing yet.
    public init(context: ProviderContext) throws(ProviderError) {
        guard let accessKeyID = context.credential("access_key_id"), !accessKeyID.isEmpty,
              let secret = context.credential("secret_access_key"), !secret.isEmpty,
              let region = context.credential("region"), !region.isEmpty
        else {
            throw ProviderError(.configuration, "credentials lack access_key_id, secret_access_key or region")
        }
        guard let endpoint = CloudTrailEndpoint.resolve(region: region, override: context.setting("endpoint_url")) else {
            throw ProviderError(.configuration, "settings.endpoint_url must be https://host[:port][/path]")
        }
        let token = context.credential("session_token").flatMap { $0.isEmpty ? nil : $0 }
        let credentials = AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token)
        reader = CloudTrailReader(
            auth: CloudTrailAuth(credentials: credentials, region: region, endpoint: endpoint),
            context: context,
            pacing: ProviderHTTP.Pacing(key: Self.pacingKey(accessKeyID: accessKeyID, region: region),
                                        budget: CloudTrailReader.budget),
            pageSize: context.settings["page_size"]?.intValue ?? LookupEvents.maxResults,
            backoff: ThrottleBackoff(), now: { Date() })
        streams = Self.selectedStreams([Self.cloudTrail], settings: context.settings)
    }

    /// Requests with the same key share LookupEvents' budget (see the type's comment).
    static func pacingKey(accessKeyID: String, region: String) -> String { "cloudtrail|\(accessKeyID)|\(region)" }

    /// Every event of `window`, a LookupEvents page at a time, newest first within the window.
    public func read(_ stream: StreamSpec, window: TimeWindow, wantsNextPage: () -> Bool,
                     sink: (EventPage) throws(ProviderError) -> Void) throws(ProviderError) {
        guard stream == Self.cloudTrail else { throw ProviderError(.configuration, "unknown stream \(stream.name)") }
        try reader.read(window: window, stream: stream, wantsNextPage: wantsNextPage, sink: sink)
    }
}
