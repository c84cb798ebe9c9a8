// siem-devbroker: a development/test Kafka broker on librdkafka's mock cluster.
// Wiring only: the cluster and its control protocol live in the Kafka module.
import ArgumentParser
import Foundation
import Kafka
import KafkaDevTools

struct DevBroker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siem-devbroker",
        abstract: "Runs an in-memory Kafka mock cluster on 127.0.0.1 until SIGTERM/SIGINT.",
        discussion: """
            Prints the bootstrap address as one line on stdout. With --control-socket, accepts
            one-line commands on a unix socket (ping, broker-down ID, broker-up ID,
            produce-errors COUNT CODE, clear-produce-errors, create-topic NAME PARTITIONS,
            broker-rtt ID MS, set-leader TOPIC PARTITION ID, bootstrap, help); each gets one
            reply line starting with "ok" or "error".
            """)

    @Option(help: "Number of brokers (ids 1...N).")
    var brokers = 1

    @Option(help: "Topic to create at start.")
    var topic = "ingest-events"

    @Option(help: "Partitions of that topic.")
    var partitions = 3

    @Option(help: "Also write the bootstrap address to this file.")
    var bootstrapFile: String?

    @Option(help: "Unix socket path for fault-injection commands.")
    var controlSocket: String?

    @Option(help: "Write the process id to this file.")
    var pidFile: String?

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be 1...16") }
        guard (1...10_000).contains(partitions) else { throw ValidationError("--partitions must be 1...10000") }
    }

    func run() throws {
        // Before any thread exists (librdkafka's included): block the stop signals so that
        // every thread inherits the mask and only sigwait below receives them.
        let stopSignals = StopSignals.block()

        var cluster: KafkaMockCluster? = try KafkaMockCluster(brokers: brokers)
        let bootstrap = cluster!.bootstrapServers
        try cluster!.createTopic(topic, partitions: partitions)
        var cleanup: [String] = []
        defer { for path in cleanup { unlink(path) } }
        if let pidFile {
            try writeFile(pidFile, "\(getpid())\n")
            cleanup.append(pidFile)
        }
        if let bootstrapFile {
            try writeFile(bootstrapFile, bootstrap + "\n")
            cleanup.append(bootstrapFile)
        }
        var server: ControlSocketServer?
        if let controlSocket {
            server = try ControlSocketServer(path: controlSocket, control: KafkaMockControl(cluster: cluster!))
            server?.start()
        }
        FileHandle.standardOutput.write(Data((bootstrap + "\n").utf8))

        let signal = withExtendedLifetime(cluster) { stopSignals.wait() }
        log("signal \(signal), stopping")
        server?.stop()
        server = nil
        cluster = nil  // last reference: rd_kafka_mock_cluster_destroy + rd_kafka_destroy, now
        log("stopped")
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("siem-devbroker: \(message)\n".utf8))
}

/// Writes a file atomically (temp file + rename) so readers never see half a line.
func writeFile(_ path: String, _ text: String) throws {
    let url = URL(fileURLWithPath: path)
    try Data(text.utf8).write(to: url, options: .atomic)
}

DevBroker.main()
