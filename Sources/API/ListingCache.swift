internal import Storage
internal import Synchronization

/// Rendered `GET /v1/cloud_api_sources` bodies, shared by the process's workers.
///
/// An entry is labelled with the tenant's change count (sql/008) read *before*
/// its listing was queried, and is served only while the count is unchanged.
/// Every committed write bumps the count in its own transaction, so an entry is
/// never older than the database; at worst a write between the two reads makes
/// the label too old and costs one extra miss. Checking the count is one indexed
/// single-row read, where a listing query renders and ships every row.
public final class ListingCache: Sendable {
    struct Key: Hashable {
        var tenantID: String
        var query: SourceListQuery
    }

    private struct Entry {
        var changeCount: Int
        var body: [UInt8]
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    /// Most body bytes kept; the least recently used entries go first.
    public let byteBudget: Int
    private let state = Mutex(State())

    public init(byteBudget: Int) {
        self.byteBudget = byteBudget
    }

    /// The body stored for `key` if it was rendered at `changeCount`.
    func body(for key: Key, changeCount: Int) -> [UInt8]? {
        state.withLock { state in
            guard var entry = state.entries[key], entry.changeCount == changeCount else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry.body
        }
    }

    func store(_ body: [UInt8], for key: Key, changeCount: Int) {
        guard body.count <= byteBudget / 4 else { return }
        state.withLock { state in
            // A slower worker must not replace a newer entry with an older one.
            if let existing = state.entries[key] {
                if existing.changeCount > changeCount { return }
                state.bytes -= existing.body.count
            }
            state.clock += 1
            state.entries[key] = Entry(changeCount: changeCount, body: body, lastUse: state.clock)
            state.bytes += body.count
            if state.bytes > byteBudget { Self.evict(&state, downTo: byteBudget * 3 / 4) }
        }
    }

    /// Entries and bytes held, for tests and metrics.
    var usage: (entries: Int, bytes: Int) {
        state.withLock { ($0.entries.count, $0.bytes) }
    }

    /// Drops least recently used entries; sorting is fine because it runs only
    /// when a quarter of the budget has filled up since the last time.
    private static func evict(_ state: inout State, downTo target: Int) {
        for (key, entry) in state.entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) {
            if state.bytes <= target { break }
            state.entries[key] = nil
            state.bytes -= entry.body.count
        }
    }
}
