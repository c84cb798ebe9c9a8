import Foundation
import Synchronization

/// A JWKS file watched for changes, so that an IdP's key rollover (a new key published, an
/// old one withdrawn) takes effect without restarting siem-api. The request threads re-read
/// it at most once per `interval`; comparing the text, not the modification time, also sees
/// a change made within the same second or by a rename that reused an inode.
final class JWKSFile: Sendable {
    let path: String
    private let interval: TimeInterval
    private let state: Mutex<(checkedAt: Date, text: String?)>

    init(path: String, interval: TimeInterval) {
        self.path = path
        self.interval = max(0, interval)
        self.state = Mutex((checkedAt: .distantPast, text: nil))
    }

    /// The file's text when it changed since the last call (or on the first), else nil.
    /// An unreadable file counts as unchanged: the keys in use stay.
    func textIfChanged(now: Date) -> String? {
        let due = state.withLock { current -> Bool in
            guard now.timeIntervalSince(current.checkedAt) >= interval else { return false }
            current.checkedAt = now
            return true
        }
        guard due, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return state.withLock { current -> String? in
            guard current.text != text else { return nil }
            current.text = text
            return text
        }
    }
}
