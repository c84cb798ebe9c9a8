import Kafka
import Testing

@Suite("KAFKA_PROPERTIES and KAFKA_PROPERTIES_FILE text")
struct KafkaPropertiesTextTests {
    typealias Entry = KafkaPropertiesText.Entry

    static let file = KafkaPropertiesText(source: "KAFKA_PROPERTIES_FILE")
    static let inline = KafkaPropertiesText(source: "KAFKA_PROPERTIES", splitsAtCommas: true)
    static let secret = "S3cr3t,pa=ss-canary-7d2e"

    @Test("one property per line; comments, blank lines, spaces and CRLF are skipped; the file's values keep commas and '='")
    func lines() throws {
        let text = "# SASL\r\n\n  sasl.username = collector \r\nsasl.password=\(Self.secret)\nbootstrap.servers=a:9092,b:9092\n"
        #expect(try Self.file.parse(text) == [
            Entry(name: "sasl.username", value: "collector"), Entry(name: "sasl.password", value: Self.secret),
            Entry(name: "bootstrap.servers", value: "a:9092,b:9092"),
        ])
    }

    @Test("KAFKA_PROPERTIES splits at commas on every line, by the same rule")
    func inlineLines() throws {
        let text = "security.protocol=SASL_SSL,sasl.mechanism=PLAIN\n# c\nbootstrap.servers=a:9092,b:9092\n"
        #expect(try Self.inline.parse(text) == [
            Entry(name: "security.protocol", value: "SASL_SSL"), Entry(name: "sasl.mechanism", value: "PLAIN"),
            Entry(name: "bootstrap.servers", value: "a:9092,b:9092"),
        ])
    }

    @Test(
        "one line lists properties separated by commas; a comma splits only before a property name and '='",
        arguments: [
            ("security.protocol=SASL_SSL,sasl.mechanism=PLAIN",
             [Entry(name: "security.protocol", value: "SASL_SSL"), Entry(name: "sasl.mechanism", value: "PLAIN")]),
            ("bootstrap.servers=a:9092,b:9092, message.timeout.ms = 3000",
             [Entry(name: "bootstrap.servers", value: "a:9092,b:9092"), Entry(name: "message.timeout.ms", value: "3000")]),
            ("ssl.cipher.suites=ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384",
             [Entry(name: "ssl.cipher.suites", value: "ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384")]),
            // A word with capitals is never a librdkafka name: it stays in the value.
            ("sasl.oauthbearer.extensions=logicalCluster=lkc-1,identityPoolId=pool-2",
             [Entry(name: "sasl.oauthbearer.extensions", value: "logicalCluster=lkc-1,identityPoolId=pool-2")]),
            ("# comment\nsasl.password=a,b,sasl.username=u\n",
             [Entry(name: "sasl.password", value: "a,b"), Entry(name: "sasl.username", value: "u")]),
        ])
    func commaList(text: String, expected: [Entry]) throws {
        #expect(try Self.inline.parse(text) == expected)
    }

    @Test("the file never splits at commas")
    func fileKeepsCommas() throws {
        #expect(try Self.file.parse("sasl.password=a,sasl.username=u") == [Entry(name: "sasl.password", value: "a,sasl.username=u")])
    }

    @Test(
        "bad input is named by source and line or entry, never by its text",
        arguments: [
            (KafkaPropertiesTextTests.file, "sasl.username=u\n# c\n\(KafkaPropertiesTextTests.secret)\n", "KAFKA_PROPERTIES_FILE line 3: expected name=value"),
            (KafkaPropertiesTextTests.file, "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC==\n", "KAFKA_PROPERTIES_FILE line 1: expected name=value"),
            (KafkaPropertiesTextTests.file, "Sasl.Password=\(KafkaPropertiesTextTests.secret)", "KAFKA_PROPERTIES_FILE line 1: expected name=value"),
            (KafkaPropertiesTextTests.file, "=\(KafkaPropertiesTextTests.secret)", "KAFKA_PROPERTIES_FILE line 1: expected name=value"),
            (KafkaPropertiesTextTests.file, "s3cr3t.canary.pa=ss", "KAFKA_PROPERTIES_FILE line 1: not a librdkafka property name"),
            (KafkaPropertiesTextTests.inline, "message.timeout.ms=3000\nS3cr3t-canary", "KAFKA_PROPERTIES line 2: expected name=value"),
            (KafkaPropertiesTextTests.inline, "acks=all\nlinger.ms=5,debug=x,word=S3cr3t", "KAFKA_PROPERTIES line 2 entry 2: ambiguous comma"),
            (KafkaPropertiesTextTests.file, "S3cr3t-canary", "KAFKA_PROPERTIES_FILE line 1: expected name=value"),
            (KafkaPropertiesTextTests.inline, "S3cr3t-canary-no-equals", "KAFKA_PROPERTIES entry 1: expected name=value"),
            (KafkaPropertiesTextTests.inline, "acks=all,sasl.usrename=\(KafkaPropertiesTextTests.secret)", "KAFKA_PROPERTIES entry 1: ambiguous comma"),
            (KafkaPropertiesTextTests.inline, "sasl.password=\(KafkaPropertiesTextTests.secret),word=x", "KAFKA_PROPERTIES entry 1: ambiguous comma"),
        ])
    func errors(parser: KafkaPropertiesText, text: String, message: String) {
        do {
            let entries = try parser.parse(text)
            Issue.record("parsed \(entries.map(\.name))")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.hasPrefix(message))
            #expect(!error.description.contains("cr3t") && !error.description.contains("MIIE"))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("the ambiguous-comma error says where such a value can go instead")
    func ambiguousAdvice() throws {
        for text in ["sasl.password=x,word=y", "sasl.username=u\nsasl.password=x,word=y"] {
            do {
                _ = try Self.inline.parse(text)
                Issue.record("parsed \(text)")
            } catch {
                #expect(error.message.contains("put this property in KAFKA_PROPERTIES_FILE"))
            }
        }
        #expect(try Self.file.parse("sasl.password=x,word=y").first?.value == "x,word=y")
    }

    @Test("librdkafka's own property names are known, global and topic ones; others are not")
    func knownNames() {
        for name in ["sasl.password", "bootstrap.servers", "acks", "message.timeout.ms", "ssl.key.pem", "debug"] {
            #expect(KafkaPropertiesText.isLibrdkafkaProperty(name), "\(name)")
        }
        for name in ["word", "sasl.usrename", "", "Acks"] {
            #expect(!KafkaPropertiesText.isLibrdkafkaProperty(name), "\(name)")
        }
    }

    @Test("an injected name list decides what counts as a property")
    func injectedNames() throws {
        let parser = KafkaPropertiesText(source: "X", splitsAtCommas: true, isPropertyName: { $0 == "a" || $0 == "b" })
        #expect(try parser.parse("a=1,b=2") == [Entry(name: "a", value: "1"), Entry(name: "b", value: "2")])
        #expect(throws: KafkaError.self) { try parser.parse("a=1,c=2") }
    }
}
