package import CRdKafka
internal import Glibc

/// Builds an `rd_kafka_conf_t` from string properties. The caller owns the result until
/// it is handed to `rd_kafka_new` (which takes it over on success).
package func makeRdKafkaConf(_ properties: [(String, String)]) throws(KafkaError) -> OpaquePointer {
    guard let conf = rd_kafka_conf_new() else {
        throw KafkaError(.clientCreation, "rd_kafka_conf_new failed")
    }
    var errstr = [CChar](repeating: 0, count: 512)
    for (key, value) in properties {
        let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
        guard result == RD_KAFKA_CONF_OK else {
            rd_kafka_conf_destroy(conf)
            // librdkafka's message quotes the value, which may be a secret: only the name goes out.
            let problem = result == RD_KAFKA_CONF_UNKNOWN ? "is not a librdkafka property" : "has a value librdkafka refuses"
            throw KafkaError(.invalidConfiguration, "property \(key) \(problem)")
        }
    }
    return conf
}

/// Creates an `rd_kafka_t` of the given type, taking over `conf` on success and
/// destroying it on failure. `properties` are what `conf` was made of: librdkafka's error may
/// quote one of their values (`Unsupported SASL mechanism: …`), so each is cut out of it.
package func makeRdKafka(_ type: rd_kafka_type_t, conf: OpaquePointer, properties: [(String, String)]) throws(KafkaError)
    -> OpaquePointer
{
    var errstr = [CChar](repeating: 0, count: 512)
    guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
        rd_kafka_conf_destroy(conf)
        throw KafkaError(.clientCreation, "rd_kafka_new: \(redacting(properties.map(\.1), in: cString(errstr)))")
    }
    return rk
}

/// `text` with every value of four characters or more replaced by `…` (shorter ones are
/// numbers and flags, and replacing them would garble the message).
func redacting(_ values: [String], in text: String) -> String {
    var result = text
    for value in values.filter({ $0.count >= 4 }).sorted(by: { $0.count > $1.count }) {
        result = result.replacing(value, with: "…")
    }
    return result
}

/// Every property name librdkafka documents, global and topic, read once from
/// `rd_kafka_conf_properties_show` (`rd_kafka_conf_get` cannot tell an unset string property
/// from an unknown one).
let librdkafkaPropertyNames: Set<String> = {
    var buffer: UnsafeMutablePointer<CChar>?
    var size = 0
    guard let stream = open_memstream(&buffer, &size) else { return [] }
    rd_kafka_conf_properties_show(stream)
    fclose(stream)
    defer { free(buffer) }
    guard let buffer else { return [] }
    // Table rows start with the name: `client.id    |  *  | …`; headings and legends do not start lowercase.
    var names: Set<String> = []
    for line in String(cString: buffer).split(separator: "\n") where line.first?.isLowercase == true {
        names.insert(String(line.prefix { $0 != " " && $0 != "|" }))
    }
    return names
}()

func cString(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Milliseconds left until `deadline`, clamped to `0...Int32.max` (librdkafka's timeouts are `int`).
package func remainingMilliseconds(until deadline: ContinuousClock.Instant, cap: Int = Int(Int32.max)) -> Int32 {
    let left = ContinuousClock.now.duration(to: deadline)
    if left <= .zero { return 0 }
    return Int32(min(cap, max(1, KafkaProducerConfiguration.milliseconds(left))))
}
