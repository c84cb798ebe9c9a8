// siem-api: the FastCGI responder behind nginx. Wiring only; the API lives in Sources/API.
import Catalog
import API
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
    var workers: Int = Int(ProcessInfo.processInfo.environment["SIEM_API_WORKERS"] ?? "") ?? 4

    mutating func run() throws {
        JSONLogHandler.bootstrap()
        let logger = Logger(label: "siem-api")
        let environment = ProcessInfo.processInfo.environment
        let socket = socket ?? environment["SIEM_API_SOCKET"]
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

    init(environment: [String: String]) throws {
        guard let url = environment["SIEM_API_DATABASE_URL"] ?? environment["DATABASE_URL"] else {
            throw ConfigurationError("set SIEM_API_DATABASE_URL or DATABASE_URL")
        }
        databaseURL = url
        var tokens = TokenVerifierConfiguration(
            hmacSecret: environment["SIEM_JWT_SECRET"].map { Array($0.utf8) },
            issuer: environment["SIEM_JWT_ISSUER"], audience: environment["SIEM_JWT_AUDIENCE"])
        if let path = environment["SIEM_JWKS_FILE"] {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigurationError("SIEM_JWKS_FILE: cannot read \(path)")
            }
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
        cipher = CredentialCipher(keyRing: try MasterKeyRing.fromEnvironment(environment))
        if let bundle = environment["SIEM_CA_BUNDLE"], !bundle.isEmpty { api.caBundlePath = bundle }
        api.providerHosts = try ProviderHostPolicy(environment: environment)
        api.metricsTrustLoopback = environment["SIEM_METRICS_TRUST_LOOPBACK"] == "1"
        if let limit = environment["SIEM_MAX_CONSECUTIVE_FAILURES"] {
            guard let value = Int(limit), value >= 1 else {
                throw ConfigurationError("SIEM_MAX_CONSECUTIVE_FAILURES must be a positive integer")
            }
            api.maxConsecutiveFailures = value
        }
        let cacheMB = environment["SIEM_API_LISTING_CACHE_MB"] ?? "32"
        guard let megabytes = Int(cacheMB), (0...65536).contains(megabytes) else {
            throw ConfigurationError("SIEM_API_LISTING_CACHE_MB must be an integer from 0 to 65536")
        }
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
