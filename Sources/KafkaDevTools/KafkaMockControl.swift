internal import Kafka
/// The dev broker's line protocol for fault injection, separate from any socket so that it
/// can be tested in memory. One command per line, one reply line per command, starting
/// with `ok` or `error`:
///
/// | command | effect |
/// | --- | --- |
/// | `ping` | `ok pong` |
/// | `bootstrap` | `ok HOST:PORT,...` |
/// | `broker-down ID` / `broker-up ID` | take a broker down / bring it back |
/// | `produce-errors COUNT CODE` | the next COUNT produce requests fail with CODE (a librdkafka error name such as `NOT_ENOUGH_REPLICAS`, or its number) |
/// | `clear-produce-errors` | drop pending injected produce errors |
/// | `create-topic NAME PARTITIONS` | create a topic |
/// | `broker-rtt ID MS` | delay a broker's responses |
/// | `set-leader TOPIC PARTITION ID` | move a partition's leadership |
/// | `help` | list the commands |
public struct KafkaMockControl: Sendable {
    /// Longest accepted command line, in bytes.
    public static let maxLineLength = 1024

    /// The cluster the commands act on.
    public let cluster: KafkaMockCluster

    /// Wraps a cluster.
    public init(cluster: KafkaMockCluster) {
        self.cluster = cluster
    }

    /// Executes one command line (without its newline) and returns the reply line (without
    /// newline). Never throws: failures become `error ...` replies.
    public func handle(_ line: String) -> String {
        guard line.utf8.count <= KafkaMockControl.maxLineLength else { return "error line too long" }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
        guard let command = words.first?.lowercased() else { return "error empty command" }
        let args = Array(words.dropFirst())
        do throws(KafkaError) {
            switch (command, args.count) {
            case ("ping", 0):
                return "ok pong"
            case ("help", 0):
                return "ok commands: ping bootstrap broker-down broker-up produce-errors clear-produce-errors "
                    + "create-topic broker-rtt set-leader"
            case ("bootstrap", 0):
                return "ok \(cluster.bootstrapServers)"
            case ("broker-down", 1):
                let id = try integer(args[0], "broker id")
                try cluster.setBrokerDown(id)
                return "ok broker \(id) down"
            case ("broker-up", 1):
                let id = try integer(args[0], "broker id")
                try cluster.setBrokerUp(id)
                return "ok broker \(id) up"
            case ("produce-errors", 2):
                let count = try integer(args[0], "count")
                guard let code = KafkaResponseCode(name: args[1]) else {
                    return "error unknown error code \(sanitized(args[1]))"
                }
                try cluster.pushRequestErrors(.produce, count: count, error: code)
                return "ok \(count) \(code.name)"
            case ("clear-produce-errors", 0):
                cluster.clearRequestErrors(.produce)
                return "ok cleared"
            case ("create-topic", 2):
                let name = try topicName(args[0])
                let partitions = try integer(args[1], "partitions")
                try cluster.createTopic(name, partitions: partitions)
                return "ok topic \(name) \(partitions)"
            case ("broker-rtt", 2):
                let id = try integer(args[0], "broker id")
                let ms = try integer(args[1], "rtt")
                try cluster.setBrokerRoundTripTime(id, milliseconds: ms)
                return "ok broker \(id) rtt \(ms)"
            case ("set-leader", 3):
                let name = try topicName(args[0])
                let partition = try integer(args[1], "partition")
                let id = try integer(args[2], "broker id")
                guard let partition32 = Int32(exactly: partition) else { return "error partition out of range" }
                try cluster.setPartitionLeader(topic: name, partition: partition32, brokerID: id)
                return "ok \(name)/\(partition) leader \(id)"
            case ("ping", _), ("help", _), ("bootstrap", _), ("broker-down", _), ("broker-up", _),
                ("produce-errors", _), ("clear-produce-errors", _), ("create-topic", _), ("broker-rtt", _),
                ("set-leader", _):
                return "error wrong number of arguments for \(command)"
            default:
                return "error unknown command \(sanitized(command))"
            }
        } catch {
            return "error \(error.message)"
        }
    }

    private func integer(_ text: String, _ what: String) throws(KafkaError) -> Int {
        guard let value = Int(text) else { throw KafkaError(.invalidArgument, "\(what) is not a number") }
        return value
    }

    private func topicName(_ text: String) throws(KafkaError) -> String {
        let legal = text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard legal, (1...249).contains(text.utf8.count), text != ".", text != ".." else {
            throw KafkaError(.invalidArgument, "invalid topic name")
        }
        return text
    }

    /// Echoes at most 40 printable ASCII characters of client input.
    private func sanitized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(40).filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }))
    }
}
