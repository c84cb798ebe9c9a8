public import HTTPRouting
public import Auth
public import Secrets
public import Storage
public import Logging
internal import Foundation

/// The REST API as a library: routes a `Request` to its handler and always
/// answers (problem+json for every failure). One instance per worker thread,
/// owning that worker's repositories (and so its database connection).
public final class APIApplication {
    // Untyped throws here: typed-throws closures in this position crash Swift 6.3's SILGen.
    typealias Handler = @Sendable (APIApplication, RequestContext) throws -> Response

    private let router: Router<Handler>
    private let verifier: TokenVerifier
    private let logger: Logger
    let sources: SourcesController
    let poller: PollerController
    let health: HealthController
    let operations: OperationsController
    let metrics: MetricsController
    let platforms = PlatformsController()

    /// All stores share the worker's one database connection.
    public init(repository: SourceRepository, schedule: SourceSchedule,
                metrics: SourceMetricsReader, probeSlots: ProbeSlots, probeGate: ProbeGate,
                verifier: TokenVerifier, cipher: CredentialCipher,
                listings: ListingCache? = nil, configuration: APIConfiguration = APIConfiguration(), logger: Logger) {
        self.verifier = verifier
        self.logger = logger
        self.sources = SourcesController(repository: repository, cipher: cipher, configuration: configuration,
                                         listings: listings)
        self.poller = PollerController(schedule: schedule, configuration: configuration)
        self.health = HealthController(repository: repository)
        self.operations = OperationsController(repository: repository, cipher: cipher, configuration: configuration,
                                               probeSlots: probeSlots, probeGate: probeGate)
        self.metrics = MetricsController(reader: metrics, trustLoopback: configuration.metricsTrustLoopback)
        self.router = Self.routes()
    }

    private static func routes() -> Router<Handler> {
        var router = Router<Handler>()
        router.add("GET", "/v1/health") { app, context in app.health.health(context) }
        router.add("GET", "/v1/platforms") { app, context in try app.platforms.platforms(context) }
        router.add("GET", "/v1/cloud_api_sources") { app, context in try app.sources.list(context) }
        router.add("POST", "/v1/cloud_api_sources") { app, context in try app.sources.create(context) }
        router.add("GET", "/v1/cloud_api_sources/{source_id}") { app, context in try app.sources.get(context) }
        router.add("PUT", "/v1/cloud_api_sources/{source_id}") { app, context in try app.sources.replace(context) }
        router.add("DELETE", "/v1/cloud_api_sources/{source_id}") { app, context in try app.sources.delete(context) }
        router.add("GET", "/v1/cloud_api_sources/poll/configurations") { app, context in
            try app.poller.configurations(context)
        }
        router.add("POST", "/v1/cloud_api_sources/poll/status") { app, context in try app.poller.status(context) }
        router.add("POST", "/v1/cloud_api_sources/test") { app, context in try app.operations.testDraft(context) }
        router.add("POST", "/v1/cloud_api_sources/{source_id}/test") { app, context in try app.operations.testStored(context) }
        router.add("POST", "/v1/cloud_api_sources/{source_id}/poll_now") { app, context in try app.operations.pollNow(context) }
        router.add("PUT", "/v1/cloud_api_sources/{source_id}/checkpoints/{stream}") { app, context in
            try app.operations.setCheckpoint(context)
        }
        router.add("GET", "/metrics") { app, context in try app.metrics.metrics(context) }
        return router
    }

    /// Answers one request and logs one line about it.
    public func respond(to request: Request) -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        var requestLogger = logger
        requestLogger[metadataKey: "request.id"] = "\(request.requestID)"
        var identity: Identity?
        var response: Response
        do {
            response = try handle(request, logger: requestLogger, identity: &identity)
        } catch {
            if error.status >= 500 {
                requestLogger.error("request failed", metadata: ["error": "\(error.description)"])
            }
            response = error.response(requestID: request.requestID)
        }
        response.headers.append(("X-Request-ID", request.requestID))
        response.headers.append(("Cache-Control", "no-store"))
        let micros = (DispatchTime.now().uptimeNanoseconds - started) / 1000
        requestLogger.info("request", metadata: [
            "http.method": "\(request.method)",
            "http.path": "\(request.path)",
            "http.status": "\(response.status)",
            "duration_us": "\(micros)",
            "tenant.id": "\(identity?.tenantID ?? "-")",
        ])
        return response
    }

    private func handle(_ request: Request, logger: Logger, identity: inout Identity?) throws(HTTPError) -> Response {
        switch router.match(method: request.method, path: request.path) {
        case .notFound:
            throw HTTPError.notFound
        case .methodNotAllowed(let allowed):
            throw HTTPError.methodNotAllowed(allowed)
        case .found(let handler, let parameters):
            identity = try authenticate(request)
            let context = RequestContext(request: request, parameters: parameters, identity: identity, logger: logger)
            do {
                return try handler(self, context)
            } catch let error as HTTPError {
                throw error
            } catch {
                logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
                throw HTTPError.internalError
            }
        }
    }

    /// Verifies the bearer token when one is sent; handlers decide whether one is needed.
    private func authenticate(_ request: Request) throws(HTTPError) -> Identity? {
        guard let header = request.header("authorization") else { return nil }
        // Authorization sent twice arrives joined by a comma (CGIParams); no token has one.
        guard !header.utf8.contains(UInt8(ascii: ",")) else {
            throw HTTPError.badRequest("send one Authorization header")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw HTTPError.unauthorized("use 'Authorization: Bearer <token>'")
        }
        do {
            // Blanks only; Foundation's trimming bridges through NSString on every request.
            var token = parts[1].drop { $0 == " " || $0 == "\t" }
            while let last = token.last, last == " " || last == "\t" { token = token.dropLast() }
            return try verifier.verify(String(token))
        } catch {
            throw HTTPError.unauthorized(error.reason)
        }
    }
}

@available(*, unavailable)
extension APIApplication: Sendable {}
