/// The session settings a connection wants (set_config names and values, in the order they
/// were first set) and those its current session is known to have. A setting is sent with
/// the next statement while the two differ; anything unsure (a failed statement, whose
/// implicit transaction rolls a new setting back; a new session) counts as not applied,
/// so the worst case is one set_config too many, never a statement under a stale value.
struct SessionSettings: Equatable {
    private(set) var wanted: [Setting] = []
    private var applied: [String: String] = [:]

    struct Setting: Equatable {
        var name: String
        var value: String
    }

    /// True when `name` is already wanted with this value (nothing to do).
    func wants(_ name: String, _ value: String) -> Bool {
        wanted.contains(Setting(name: name, value: value))
    }

    /// Wants `value` for `name` from the next statement on.
    mutating func want(_ name: String, _ value: String) {
        if let index = wanted.firstIndex(where: { $0.name == name }) {
            wanted[index].value = value
        } else {
            wanted.append(Setting(name: name, value: value))
        }
    }

    /// What the session must be sent before its next statement runs.
    var pending: [Setting] { wanted.filter { applied[$0.name] != $0.value } }

    /// The server confirmed these (their statements succeeded and were committed).
    mutating func confirm(_ settings: [Setting]) {
        for setting in settings { applied[setting.name] = setting.value }
    }

    /// The session may no longer hold these (a statement sent with them failed).
    mutating func doubt(_ settings: [Setting]) {
        for setting in settings { applied[setting.name] = nil }
    }

    /// A new session: it has none of them yet.
    mutating func sessionStarted() { applied.removeAll() }
}
