// siem-poller: one cron tick (`run`). Wiring only; the poller lives in Sources/Poller.
import Catalog
internal import CMalloc
import ArgumentParser
import EnvironmentVariables
import Foundation
import JSONLogging
import Kafka
import Logging
import Poller
import PollerBench
import Providers
import SourceModel
import Secrets

struct SiemPoller: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siem-poller",
        abstract: "Collect cloud audit logs into Kafka (run it from cron every minute).",
        subcommands: [Run.self, Bench.self], defaultSubcommand: Run.self)
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Poll the sources that are due, once.")

    @Option(help: "Sources polled at once (each with its own connections).")
    var concurrency: Int = 4

    @Option(help: "At most this many due sources in this run.")
    var maxSources: Int = 1000

    @Option(help: "Seconds after which no new source or slice starts (keep below the cron interval).")
    var deadline: Double = 50

    @Option(help: "Poll this source now, whatever its schedule.")
    var source: String?

    func run() throws {
        JSONLogHandler.bootstrap()
        let logger = Logger(label: "siem-poller")
        do {
            var configuration = try EnvironmentConfiguration.poller(.current)
            configuration.concurrency = concurrency
            configuration.maxSources = maxSources
            configuration.deadlineSeconds = deadline
            configuration.forcedSourceID = source
            if let problem = configuration.validationError() { throw TickSetupError(problem) }
            let summary = try Tick(configuration: configuration, logger: logger).run()
            throw ExitCode(summary.exitCode)
        } catch let error as TickSetupError {
            logger.critical("cannot run", metadata: ["error": "\(error.description)"])
            throw ExitCode(2)
        }
    }
}

/// The benchmark entry (see scripts/bench-poller): the real hot path over a page chain.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow @odata.nextLink from --url, normalize and produce every event, wait for all acks.")

    @Option(help: "First page (https://, or plain http:// to 127.0.0.1 or [::1] for a like-for-like run beside a peer that reads plain HTTP).")
    var url: String

    @Option(help: "Kafka bootstrap servers.")
    var bootstrap: String

    @Option(help: "Topic.")
    var topic: String = "ingest-events"

    @Option(help: "Extra CA bundle (PEM) to trust.")
    var caBundle: String = ProcessEnvironment.current.string("SIEM_CA_BUNDLE") ?? ""

    func run() throws {
        var kafka = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        kafka.properties = try EnvironmentConfiguration.kafkaProperties(.current)
        do {
            let stats = try GraphPagesBench.run(startURL: url, caBundlePath: caBundle.isEmpty ? nil : caBundle, kafka: kafka, topic: topic)
            print("{\"pages\":\(stats.pages),\"events\":\(stats.events),\"seconds\":\(stats.seconds),\"events_per_s\":\(Int(stats.eventsPerSecond))}")
        } catch {
            FileHandle.standardError.write(Data("siem-poller bench: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Reads the poller's environment (documented in the README).
enum EnvironmentConfiguration {
    static func poller(_ environment: ProcessEnvironment) throws(TickSetupError) -> TickConfiguration {
        do {
            return try read(environment)
        } catch let error as TickSetupError {
            throw error
        } catch {
            // EnvironmentError, SecretsError, the host policy's error: one line each, no value shown.
            throw TickSetupError("\(error)")
        }
    }

    private static func read(_ environment: ProcessEnvironment) throws -> TickConfiguration {
        let url = try environment.required("SIEM_POLLER_DATABASE_URL", "DATABASE_URL")
        let keyRing = try MasterKeyRing.fromEnvironment(environment.variables)
        guard let brokers = environment.nonEmpty("KAFKA_BROKERS") else {
            throw TickSetupError("set KAFKA_BROKERS (host:port,…)")
        }
        var kafka = KafkaProducerConfiguration(bootstrapServers: brokers)
        kafka.properties = try kafkaProperties(environment)
        var configuration = TickConfiguration(databaseURL: url, keyRing: keyRing, kafka: kafka)
        if let topic = environment.string("KAFKA_TOPIC") { configuration.topic = topic }
        if let bundle = try environment.readableFile("SIEM_CA_BUNDLE") { configuration.caBundlePath = bundle }
        configuration.providerHosts = try ProviderHostPolicy(environment: environment.variables)
        // Any integer here: TickConfiguration.validationError says "at least 1".
        if let limit = try environment.int("SIEM_MAX_CONSECUTIVE_FAILURES") { configuration.maxConsecutiveFailures = limit }
        if let timeout = try environment.seconds("SIEM_DELIVERY_TIMEOUT_SECONDS") { configuration.deliveryTimeoutSeconds = timeout }
        return configuration
    }

    /// Extra librdkafka properties (``KafkaPropertiesText`` says how they are written) from
    /// KAFKA_PROPERTIES_FILE (for secrets such as sasl.password), then KAFKA_PROPERTIES (which wins).
    static func kafkaProperties(_ environment: ProcessEnvironment) throws(TickSetupError) -> [String: String] {
        var texts: [(KafkaPropertiesText, String)] = []
        do {
            if let file = try environment.fileText("KAFKA_PROPERTIES_FILE") {
                texts.append((KafkaPropertiesText(source: "KAFKA_PROPERTIES_FILE"), file))
            }
        } catch {
            throw TickSetupError(error.description)
        }
        if let inline = environment.string("KAFKA_PROPERTIES") {
            texts.append((KafkaPropertiesText(source: "KAFKA_PROPERTIES", splitsAtCommas: true), inline))
        }
        var properties: [String: String] = [:]
        do {
            for (parser, text) in texts {
                for entry in try parser.parse(text) { properties[entry.name] = entry.value }
            }
        } catch {
            throw TickSetupError(error.message)
        }
        return properties
    }
}

// Response bodies (a Graph page is about 1 MB) come from the heap, where the next page
// reuses the last one's memory: above glibc's adaptive mmap threshold each body was a fresh
// mapping, zero-filled page by page while curl wrote it (5 % of the main thread's time).
// Up to 16 MB freed at the heap's top stays mapped for that reuse.
mallopt(M_MMAP_THRESHOLD, 32 << 20)
mallopt(M_TRIM_THRESHOLD, 16 << 20)
// A connector declaration that cannot be used stops the program with one line naming it.
ConnectorCatalog.requireValid(program: "siem-poller")
SiemPoller.main()
