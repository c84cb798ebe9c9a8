// siem-poller: one cron tick (`run`). Wiring only; the poller lives in Sources/Poller.
import Catalog
import ArgumentParser
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
            var configuration = try EnvironmentConfiguration.poller(ProcessInfo.processInfo.environment)
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

    @Option(help: "First page (https://).")
    var url: String

    @Option(help: "Kafka bootstrap servers.")
    var bootstrap: String

    @Option(help: "Topic.")
    var topic: String = "ingest-events"

    @Option(help: "Extra CA bundle (PEM) to trust.")
    var caBundle: String = ProcessInfo.processInfo.environment["SIEM_CA_BUNDLE"] ?? ""

    func run() throws {
        var kafka = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        kafka.properties = try EnvironmentConfiguration.kafkaProperties(ProcessInfo.processInfo.environment)
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
    static func poller(_ environment: [String: String]) throws(TickSetupError) -> TickConfiguration {
        guard let url = environment["SIEM_POLLER_DATABASE_URL"] ?? environment["DATABASE_URL"] else {
            throw TickSetupError("set SIEM_POLLER_DATABASE_URL or DATABASE_URL")
        }
        let keyRing: MasterKeyRing
        do {
            keyRing = try MasterKeyRing.fromEnvironment(environment)
        } catch {
            throw TickSetupError(error.description)
        }
        guard let brokers = environment["KAFKA_BROKERS"], !brokers.isEmpty else {
            throw TickSetupError("set KAFKA_BROKERS (host:port,…)")
        }
        var kafka = KafkaProducerConfiguration(bootstrapServers: brokers)
        kafka.properties = try kafkaProperties(environment)
        var configuration = TickConfiguration(databaseURL: url, keyRing: keyRing, kafka: kafka)
        if let topic = environment["KAFKA_TOPIC"] { configuration.topic = topic }
        if let bundle = environment["SIEM_CA_BUNDLE"], !bundle.isEmpty {
            guard FileManager.default.isReadableFile(atPath: bundle) else {
                throw TickSetupError("SIEM_CA_BUNDLE: cannot read \(bundle)")
            }
            configuration.caBundlePath = bundle
        }
        do {
            configuration.providerHosts = try ProviderHostPolicy(environment: environment)
        } catch {
            throw TickSetupError(error.description)
        }
        if let text = environment["SIEM_MAX_CONSECUTIVE_FAILURES"] {
            guard let value = Int(text) else { throw TickSetupError("SIEM_MAX_CONSECUTIVE_FAILURES must be an integer") }
            configuration.maxConsecutiveFailures = value
        }
        if let text = environment["SIEM_DELIVERY_TIMEOUT_SECONDS"] {
            guard let value = Double(text), value > 0 else { throw TickSetupError("SIEM_DELIVERY_TIMEOUT_SECONDS must be a positive number") }
            configuration.deliveryTimeoutSeconds = value
        }
        return configuration
    }

    /// Extra librdkafka properties (``KafkaPropertiesText`` says how they are written) from
    /// KAFKA_PROPERTIES_FILE (for secrets such as sasl.password), then KAFKA_PROPERTIES (which wins).
    static func kafkaProperties(_ environment: [String: String]) throws(TickSetupError) -> [String: String] {
        var texts: [(KafkaPropertiesText, String)] = []
        if let path = environment["KAFKA_PROPERTIES_FILE"] {
            guard let file = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw TickSetupError("KAFKA_PROPERTIES_FILE: cannot read \(path)")
            }
            texts.append((KafkaPropertiesText(source: "KAFKA_PROPERTIES_FILE"), file))
        }
        if let inline = environment["KAFKA_PROPERTIES"] {
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

// A connector declaration that cannot be used stops the program with one line naming it.
ConnectorCatalog.requireValid(program: "siem-poller")
SiemPoller.main()
