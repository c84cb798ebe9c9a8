// siem-api: the FastCGI responder behind nginx. Wiring only; the API lives in Sources/API.
import Catalog
import API
import EnvironmentVariables
import ArgumentParser
import Auth
import FastCGI
import Foundation
import JSONLogging
import Logging
import Postgres
import Secrets
import SourceModel
import Storage

struct SiemAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siem-api",
        abstract: "Serve the source-registry REST API over FastCGI (put nginx in front).")

    @Option(help: "Unix socket to listen on (else $SIEM_API_SOCKET; neither: the socket passed as fd 0, spawn-fcgi style).")
    var socket: String?

    @Option(help: "Worker threads, each with its own PostgreSQL connection.")
    var workers: Int = ProcessEnvironment.current.string("SIEM_API_WORKERS").flatMap { Int($0) } ?? 4

    mutating func run() throws {
        JSONLogHandler.bootstrap()
        let logger = Logger(label: "siem-api")
        let environment = ProcessEnvironment.current
        let socket = socket ?? environment.string("SIEM_API_SOCKET")
        do {
            let settings = try APISettings(environment: environment)
            let server = try FastCGIServer(socketPath: socket, maxBodyBytes: settings.api.maxBodyBytes)
            logger.info("listening", metadata: ["socket": "\(socket ?? "fd 0")", "workers": "\(workers)"])
            let probeGate = ProbeGate(workers: workers)
            server.serve(workers: workers) { index in
                settings.makeResponder(worker: index, probeGate: probeGate, logger: logger)
            }
            logger.info("stopped")
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
    }
}

/// Everything siem-api reads from the environment, checked once at start.
struct APISettings: Sendable {
    var databaseURL: String
    var verifier: TokenVerifier
    var cipher: CredentialCipher
    var api = APIConfiguration()
    /// Rendered listings shared by the workers; nil when SIEM_API_LISTING_CACHE_MB=0.
    var listings: ListingCache?

    init(environment: ProcessEnvironment) throws {
        databaseURL = try environment.required("SIEM_API_DATABASE_URL", "DATABASE_URL")
        var tokens = TokenVerifierConfiguration(
            hmacSecret: environment.string("SIEM_JWT_SECRET").map { Array($0.utf8) },
            issuer: environment.string("SIEM_JWT_ISSUER"), audience: environment.string("SIEM_JWT_AUDIENCE"))
        if let path = try environment.readableFile("SIEM_JWKS_FILE", emptyIsUnset: false) {
            // Any application of a shared IdP can get a token signed by these keys: only the
            // issuer and the audience say it was issued for this API.
            guard tokens.issuer?.isEmpty == false, tokens.audience?.isEmpty == false else {
                throw ConfigurationError("SIEM_JWKS_FILE needs SIEM_JWT_ISSUER and SIEM_JWT_AUDIENCE (the IdP's issuer and this API's audience)")
            }
            tokens.jwksPath = path
        }
        guard tokens.hmacSecret != nil || tokens.jwksPath != nil else {
            throw ConfigurationError("set SIEM_JWT_SECRET and/or SIEM_JWKS_FILE")
        }
        if let secret = tokens.hmacSecret, secret.count < 32 {
            throw ConfigurationError("SIEM_JWT_SECRET must be at least 32 bytes")
        }
        verifier = try TokenVerifier(configuration: tokens)
        cipher = CredentialCipher(keyRing: try MasterKeyRing.fromEnvironment(environment.variables))
        if let bundle = environment.nonEmpty("SIEM_CA_BUNDLE") { api.caBundlePath = bundle }
        api.providerHosts = try ProviderHostPolicy(environment: environment.variables)
        api.metricsTrustLoopback = environment.bool("SIEM_METRICS_TRUST_LOOPBACK")
        if let limit = try environment.int("SIEM_MAX_CONSECUTIVE_FAILURES", in: 1...Int.max) {
            api.maxConsecutiveFailures = limit
        }
        let megabytes = try environment.int("SIEM_API_LISTING_CACHE_MB", in: 0...65536) ?? 32
        listings = megabytes == 0 ? nil : ListingCache(byteBudget: megabytes << 20)
    }

    /// A worker's responder with its own database connection (retried briefly at start).
    func makeResponder(worker: Int, probeGate: ProbeGate, logger: Logger) -> Responder {
        var connection: PostgresConnection?
        for attempt in 1...30 {
            do {
                connection = try PostgresConnection(conninfo: databaseURL)
                break
            } catch {
                logger.warning("database not reachable yet", metadata: ["worker": "\(worker)", "attempt": "\(attempt)", "error": "\(error.debugDescription)"])
                Thread.sleep(forTimeInterval: 1)
            }
        }
        guard let connection else {
            logger.critical("database unreachable; exiting")
            exit(3)
        }
        let app = APIApplication(repository: SourceRepository(connection: connection),
                                 schedule: SourceSchedule(connection: connection),
                                 metrics: SourceMetricsReader(connection: connection),
                                 probeSlots: ProbeSlots(connection: connection), probeGate: probeGate,
                                 verifier: verifier, cipher: cipher, listings: listings,
                                 configuration: api, logger: logger)
        return { request in app.respond(to: request) }
    }
}

struct ConfigurationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// A connector declaration that cannot be used stops the program with one line naming it.
ConnectorCatalog.requireValid(program: "siem-api")
SiemAPI.main()
