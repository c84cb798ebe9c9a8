internal import CRdKafka

/// Builds an `rd_kafka_conf_t` from string properties. The caller owns the result until
/// it is handed to `rd_kafka_new` (which takes it over on success).
func makeRdKafkaConf(_ properties: [(String, String)]) throws(KafkaError) -> OpaquePointer {
    guard let conf = rd_kafka_conf_new() else {
        throw KafkaError(.clientCreation, "rd_kafka_conf_new failed")
    }
    var errstr = [CChar](repeating: 0, count: 512)
    for (key, value) in properties {
        let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
        guard result == RD_KAFKA_CONF_OK else {
            rd_kafka_conf_destroy(conf)
            // librdkafka's message may quote the value; keep secrets out of it.
            let detail = isSensitiveProperty(key) ? "invalid value" : cString(errstr)
            throw KafkaError(.invalidConfiguration, "property \(key): \(detail)")
        }
    }
    return conf
}

/// Creates an `rd_kafka_t` of the given type, taking over `conf` on success and
/// destroying it on failure.
func makeRdKafka(_ type: rd_kafka_type_t, conf: OpaquePointer) throws(KafkaError) -> OpaquePointer {
    var errstr = [CChar](repeating: 0, count: 512)
    guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
        rd_kafka_conf_destroy(conf)
        throw KafkaError(.clientCreation, "rd_kafka_new: \(cString(errstr))")
    }
    return rk
}

func cString(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Milliseconds left until `deadline`, clamped to `0...Int32.max` (librdkafka's timeouts are `int`).
func remainingMilliseconds(until deadline: ContinuousClock.Instant, cap: Int = Int(Int32.max)) -> Int32 {
    let left = ContinuousClock.now.duration(to: deadline)
    if left <= .zero { return 0 }
    return Int32(min(cap, max(1, KafkaProducerConfiguration.milliseconds(left))))
}
