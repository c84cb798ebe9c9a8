internal import Auth
internal import TextBasics
internal import Foundation
internal import HTTPRouting
internal import JSONBytes
internal import Secrets
internal import SourceModel
internal import Storage
internal import Logging
internal import UTCTime

/// CRUD on `/v1/cloud_api_sources`, always within the caller's tenant.
/// Another tenant's source answers 404 exactly like a missing one.
struct SourcesController {
    let repository: SourceRepository
    let cipher: CredentialCipher
    let configuration: APIConfiguration
    /// nil when the process keeps no rendered listings.
    let listings: ListingCache?

    func list(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant = try context.tenant(role: Role.viewer)
        var query = SourceListQuery(limit: configuration.defaultPageSize)
        var errors = FieldErrors()
        for (name, value) in context.request.queryItems {
            switch name {
            case "platform":
                query.platform = Platform(name: value)
                if query.platform == nil { errors.add("platform", "must be one of \(Platform.allNames)") }
            case "is_enabled", "enabled":
                switch value {
                case "true": query.isEnabled = true
                case "false": query.isEnabled = false
                default: errors.add(name, "must be true or false")
                }
            case "limit":
                if let limit = Int(value), (1...configuration.maxPageSize).contains(limit) { query.limit = limit }
                else { errors.add("limit", "must be an integer from 1 to \(configuration.maxPageSize)") }
            case "page_token":
                query.after = PageToken.decode(value)
                if query.after == nil { errors.add("page_token", "is not a token this API issued") }
            default:
                errors.add(name, "is not a known query parameter")
            }
        }
        try errors.throwIfAny()
        guard let listings else { return try renderListing(tenant: tenant, query: query) }
        // The count is read before the listing: read after it, the count could include a
        // write the body misses, and the stale body would then be served until the next write.
        let key = ListingCache.Key(tenantID: tenant, query: query)
        let changes = try storage { () throws(StorageError) in try repository.changeCount(tenantID: tenant) }
        if let body = listings.body(for: key, changeCount: changes) { return .json(200, body) }
        let response = try renderListing(tenant: tenant, query: query)
        listings.store(response.body, for: key, changeCount: changes)
        return response
    }

    private func renderListing(tenant: String, query: SourceListQuery) throws(HTTPError) -> Response {
        // One extra row tells whether another page follows.
        var query = query
        let requested = query.limit
        query.limit += 1
        let sources = try storage { () throws(StorageError) in try repository.list(tenantID: tenant, query: query) }
        let page = sources.prefix(requested)
        // About 750 bytes per source in practice.
        return .json(reservingCapacity: 1024 * page.count + 128) { writer in
            writer.beginObject()
            writer.key("items")
            writer.beginArray()
            for source in page { SourceRenderer.write(source, into: &writer) }
            writer.endArray()
            writer.key("next_page_token")
            if sources.count > requested, let last = page.last {
                writer.string(PageToken.encode(name: last.sourceName))
            } else {
                writer.null()
            }
            writer.endObject()
        }
    }

    func get(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant = try context.tenant(role: Role.viewer)
        let id = try sourceID(context)
        guard let source = try storage({ () throws(StorageError) in try repository.find(tenantID: tenant, sourceID: id) }) else {
            throw HTTPError.notFound
        }
        return .json { SourceRenderer.write(source, into: &$0) }
    }

    func create(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant = try context.tenant(role: Role.admin)
        let draft = try SourceInputValidator.draft(from: JSONBody.object(of: context.request), requireCredentials: true,
                                                   hosts: configuration.providerHosts)
        let id = UUID().uuidString.lowercased()
        let sealed = try seal(draft.credentialsJSON!, expiresAt: draft.credentialsExpireAt, tenant: tenant, sourceID: id)
        let source = try storage { () throws(StorageError) in
            try repository.insert(tenantID: tenant, sourceID: id, draft: draft, credentials: sealed)
        }
        context.logger.info("source created", metadata: ["source.id": "\(id)", "platform": "\(draft.platform.rawValue)"])
        return .json(201, headers: [("Location", "/v1/cloud_api_sources/\(id)")]) { SourceRenderer.write(source, into: &$0) }
    }

    func replace(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant = try context.tenant(role: Role.admin)
        let id = try sourceID(context)
        let members = try JSONBody.object(of: context.request)
        // One statement for the usual PUT, which keeps the credentials: a body that is valid
        // whatever the stored platform (the one rule that reads it: credentials are required
        // when the platform changes) updates the row only if its platform stays. Anything else
        // (no such source, another platform, new credentials, an invalid body) takes the path
        // below, which reads the source first: the same answers, one round trip more.
        if let draft = try? SourceInputValidator.draft(from: members, requireCredentials: false,
                                                       hosts: configuration.providerHosts),
           draft.credentialsJSON == nil,
           let source = try storage({ () throws(StorageError) in
               try repository.update(tenantID: tenant, sourceID: id, draft: draft, credentials: nil,
                                     unlessPlatformChanges: true)
           }) {
            return updated(source, id: id, credentialsChanged: false, context: context)
        }
        guard let stored = try storage({ () throws(StorageError) in try repository.find(tenantID: tenant, sourceID: id) }) else {
            throw HTTPError.notFound
        }
        let draft = try SourceInputValidator.draft(from: members, requireCredentials: false, storedPlatform: stored.platform,
                                                   hosts: configuration.providerHosts)
        let sealed = try draft.credentialsJSON.map { credentials throws(HTTPError) in
            try seal(credentials, expiresAt: draft.credentialsExpireAt, tenant: tenant, sourceID: id)
        }
        guard let source = try storage({ () throws(StorageError) in
            try repository.update(tenantID: tenant, sourceID: id, draft: draft, credentials: sealed)
        }) else {
            throw HTTPError.notFound
        }
        return updated(source, id: id, credentialsChanged: sealed != nil, context: context)
    }

    private func updated(_ source: StoredSource, id: String, credentialsChanged: Bool, context: RequestContext) -> Response {
        context.logger.info("source updated", metadata: ["source.id": "\(id)", "credentials.changed": "\(credentialsChanged)"])
        return .json { SourceRenderer.write(source, into: &$0) }
    }

    func delete(_ context: RequestContext) throws(HTTPError) -> Response {
        let tenant = try context.tenant(role: Role.admin)
        let id = try sourceID(context)
        guard try storage({ () throws(StorageError) in try repository.delete(tenantID: tenant, sourceID: id) }) else {
            throw HTTPError.notFound
        }
        context.logger.info("source deleted", metadata: ["source.id": "\(id)"])
        return .noContent()
    }

    private func seal(_ credentials: [UInt8], expiresAt: UTCTimestamp?, tenant: String,
                      sourceID: String) throws(HTTPError) -> SealedCredentials {
        let binding = CredentialBinding(tenantID: tenant, sourceID: sourceID)
        do {
            let envelope = try cipher.seal(credentials, for: binding)
            return SealedCredentials(envelope: envelope, keyID: CredentialCipher.keyID(of: envelope) ?? "",
                                     fingerprint: cipher.fingerprint(of: credentials, for: binding),
                                     expiresAt: expiresAt)
        } catch {
            throw HTTPError.internalError
        }
    }
}

/// A malformed id can never name a source: 404, like any unknown id.
func sourceID(_ context: RequestContext) throws(HTTPError) -> String {
    guard let id = context.parameters["source_id"], UUID(uuidString: id) != nil else { throw HTTPError.notFound }
    return id.lowercased()
}

/// Maps storage failures to HTTP: duplicates are the client's, the rest are ours.
func storage<T>(_ body: () throws(StorageError) -> T) throws(HTTPError) -> T {
    do {
        return try body()
    } catch {
        switch error.code {
        case .duplicateName: throw HTTPError.conflict("a source with this source_name already exists for the tenant")
        case .unavailable: throw StorageFailure(error: error).httpError
        default: throw HTTPError.internalError
        }
    }
}

/// Keeps the storage detail for the log while the client gets a generic error.
struct StorageFailure {
    let error: StorageError
    var httpError: HTTPError {
        // A constraint the validator missed is still the client's input: 400, not 500.
        if error.isRejectedInput {
            return HTTPError.badRequest("the values were rejected by the database constraints")
        }
        if error.isConnectionFailure { return HTTPError.unavailable }
        return HTTPError.internalError
    }
}

/// Opaque keyset page tokens: base64url of a marker and the last name on the page
/// (the marker tells a token this API issued from arbitrary base64).
enum PageToken {
    private static let marker = "n:"

    static func encode(name: String) -> String {
        Base64URL.encode(Array((marker + name).utf8))
    }

    static func decode(_ token: String) -> String? {
        guard token.utf8.count <= 600, let bytes = Base64URL.decode(token),
              let text = String(validating: bytes, as: UTF8.self), text.hasPrefix(marker), text.count > marker.count
        else { return nil }
        return String(text.dropFirst(marker.count))
    }
}
