internal import Catalog
internal import Auth
internal import Foundation
internal import HTTPRouting
internal import JSONBytes
internal import Logging
internal import Providers
internal import Secrets
internal import SourceModel
internal import Storage
internal import UTCTime

/// What operators do to a source besides editing it: poll it now, test it,
/// rewind a stream's checkpoint.
struct OperationsController {
    let repository: SourceRepository
    let cipher: CredentialCipher
    let configuration: APIConfiguration
    let probeSlots: ProbeSlots
    let probeGate: ProbeGate
    /// Source tests one tenant may run at once, across every siem-api worker and process.
    static let probesPerTenant = 2

    func pollNow(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant = try context.tenant(role: Role.admin)
        let id = try sourceID(context)
        guard let source = try storage({ () throws(StorageError) in try repository.makeDue(tenantID: tenant, sourceID: id) }) else {
            throw HTTPError.notFound
        }
        guard source.isEnabled else { throw HTTPError.conflict("the source is disabled; enable it first") }
        context.logger.info("source made due", metadata: ["source.id": "\(id)"])
        return .json { SourceRenderer.write(source, into: &$0) }
    }

    /// Tests a stored source with its stored credentials.
    func testStored(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant = try context.tenant(role: Role.admin)
        let id = try sourceID(context)
        guard let source = try storage({ () throws(StorageError) in try repository.find(tenantID: tenant, sourceID: id) }),
              let sealed = try storage({ () throws(StorageError) in try repository.sealedCredentials(tenantID: tenant, sourceID: id) })
        else {
            throw HTTPError.notFound
        }
        let credentials: JSONValue
        do {
            let plaintext = try cipher.open(sealed, for: CredentialBinding(tenantID: tenant, sourceID: id))
            credentials = try JSONValue.parse(plaintext)
        } catch {
            context.logger.error("stored credentials cannot be opened", metadata: ["source.id": "\(id)"])
            throw HTTPError.conflict("the stored credentials cannot be decrypted; enter them again")
        }
        let settings = (try? JSONValue.parse(Array(source.settingsJSON.utf8))) ?? .object([])
        return try probe(source.platform, id: id, tenant: tenant, credentials: credentials, settings: settings, context)
    }

    /// Tests a create body before anything is stored.
    func testDraft(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant = try context.tenant(role: Role.admin)
        let draft = try SourceInputValidator.draft(from: JSONBody.object(of: context.request), requireCredentials: true,
                                                   hosts: configuration.providerHosts)
        guard let credentials = try? JSONValue.parse(draft.credentialsJSON ?? []) else { throw HTTPError.internalError }
        return try probe(draft.platform, id: "00000000-0000-0000-0000-000000000000", tenant: tenant,
                     credentials: credentials, settings: draft.settings, context)
    }

    private func probe(_ platform: Platform, id: String, tenant: String, credentials: JSONValue,
                       settings: JSONValue, _ context: RequestContext) throws(HTTPError) -> Response {
        guard probeGate.tryEnter() else {
            throw HTTPError.tooManyRequests("every worker that may test sources is busy; try again shortly", retryAfterSeconds: 5)
        }
        defer { probeGate.leave() }
        guard let slot = try storage({ () throws(StorageError) in
            try probeSlots.acquire(tenantID: tenant, slots: Self.probesPerTenant)
        }) else {
            throw HTTPError.tooManyRequests("this tenant already has \(Self.probesPerTenant) source tests running; try again when they finish",
                                            retryAfterSeconds: 5)
        }
        defer { probeSlots.release(tenantID: tenant, slot: slot) }
        let results = SourceProbe.run(platform: platform, sourceID: id, tenantID: tenant, credentials: credentials,
                                      settings: settings, caBundlePath: configuration.caBundlePath,
                                      hosts: configuration.providerHosts, logger: context.logger)
        context.logger.info("source tested", metadata: [
            "source.id": "\(id)", "results": "\(results.map { "\($0.stream)=\($0.status)" }.joined(separator: ","))",
        ])
        return .json { writer in
            writer.beginObject()
            writer.key("ok"); writer.bool(results.allSatisfy { $0.status == "ok" })
            writer.key("results")
            writer.beginArray()
            for result in results {
                writer.beginObject()
                writer.key("stream"); writer.string(result.stream)
                writer.key("status"); writer.string(result.status)
                writer.key("detail"); writer.string(result.detail)
                writer.key("sample_events"); writer.int(result.sampleEvents)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
    }

    /// Rewinds (or advances) one stream: the next poll re-collects from `watermark`.
    /// Events re-read keep their Kafka keys, so downstream can de-duplicate.
    func setCheckpoint(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant = try context.tenant(role: Role.admin)
        let id = try sourceID(context)
        let members = try JSONBody.object(of: context.request)
        guard let source = try storage({ () throws(StorageError) in try repository.find(tenantID: tenant, sourceID: id) }) else {
            throw HTTPError.notFound
        }
        let stream = context.parameters["stream"] ?? ""
        // The keys the poller writes (the activity log per subscription), or a rewind is a silent no-op.
        let settings = (try? JSONValue.parse(Array(source.settingsJSON.utf8))) ?? .object([])
        let keys = SettingsSchema.streamKeys(for: source.platform, settings: settings)
        guard keys.contains(stream) else {
            throw HTTPError.invalidField("stream", keys.isEmpty ? "the source collects no stream" : "must be one of \(keys.joined(separator: ", "))")
        }
        for member in members where member.key != "watermark" {
            throw HTTPError.invalidField(member.key, "is not a known field")
        }
        guard let text = members.first(where: { $0.key == "watermark" })?.value.stringValue,
              let watermark = UTCTimestamp(rfc3339: text) else {
            throw HTTPError.invalidField("watermark", "must be an RFC 3339 timestamp")
        }
        // By the database's clock, which the poller runs by.
        let now = try storage({ () throws(StorageError) in try repository.databaseNow() })
        guard watermark <= now else { throw HTTPError.invalidField("watermark", "must not be in the future") }
        // The poller's own stored form, with nothing seen and no slice size remembered.
        let state = CursorState(checkpoint: StreamCheckpoint(watermark: watermark), sliceSeconds: nil)
        guard let updated = try storage({ () throws(StorageError) in
            try repository.setCheckpoint(tenantID: tenant, sourceID: id, stream: stream, checkpointJSON: state.jsonText)
        }) else {
            // The source was found above: the poller holds its lock (a rewind must not race its commit).
            guard try storage({ () throws(StorageError) in try repository.find(tenantID: tenant, sourceID: id) }) != nil else {
                throw HTTPError.notFound
            }
            throw HTTPError.conflict("the source is being polled right now; try again in a minute")
        }
        context.logger.info("checkpoint set", metadata: ["source.id": "\(id)", "stream": "\(stream)", "watermark": "\(watermark.rfc3339)"])
        return .json { SourceRenderer.write(updated, into: &$0) }
    }
}
