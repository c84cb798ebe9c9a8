/// Headers prepared once for many messages (e.g. a page's tenant, source, platform and log
/// type): their bytes sit in one block, so attaching them to a message is a few
/// `rd_kafka_header_add` calls over plain pointers, with no Swift string or array work.
public final class KafkaHeaderList: @unchecked Sendable {
    /// The headers, as given.
    public let headers: [KafkaHeader]

    struct Entry {
        var name: UnsafePointer<CChar>
        var nameCount: Int
        /// nil: Kafka's null header value.
        var value: UnsafeRawPointer?
        var valueCount: Int
    }

    /// Immutable after `init` (hence `@unchecked Sendable`), freed in `deinit`.
    let entries: UnsafeBufferPointer<Entry>
    private let storage: UnsafeMutableRawBufferPointer

    public init(_ headers: [KafkaHeader]) {
        self.headers = headers
        let size = headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 1)
        self.storage = storage
        let entries = UnsafeMutableBufferPointer<Entry>.allocate(capacity: headers.count)
        var offset = 0
        func place<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UnsafeRawPointer {
            let start = storage.baseAddress! + offset
            for byte in bytes {
                storage[offset] = byte
                offset += 1
            }
            return UnsafeRawPointer(start)
        }
        for (index, header) in headers.enumerated() {
            let name = place(header.name.utf8)
            let value = header.value.map { place($0) }
            entries.initializeElement(
                at: index,
                to: Entry(name: name.assumingMemoryBound(to: CChar.self), nameCount: header.name.utf8.count,
                          value: value, valueCount: header.value?.count ?? 0))
        }
        self.entries = UnsafeBufferPointer(entries)
    }

    deinit {
        UnsafeMutableBufferPointer(mutating: entries).deallocate()
        storage.deallocate()
    }
}
