@testable import Poller
import Catalog
import Providers
import Testing
import UTCTime

@Suite("The poller's clock is the database's")
struct DatabaseClockTests {
    static let database = UTCTimestamp(seconds: 1_764_000_000)

    @Test("a host clock more than 60 s off either way refuses the run", arguments: [
        (0, false), (60, false), (-60, false), (61, true), (-61, true), (7200, true),
    ] as [(Int64, Bool)])
    func skew(offset: Int64, refused: Bool) {
        let problem = DatabaseClock.skewProblem(host: Self.database.adding(seconds: offset), database: Self.database)
        #expect((problem != nil) == refused)
        if let problem {
            #expect(problem.contains("\(abs(offset)) s \(offset > 0 ? "ahead of" : "behind") the database's"))
        }
    }

    @Test("now runs on from the database's time, whatever the host's wall clock says")
    func runsOnFromTheDatabase() {
        let clock = DatabaseClock(databaseNow: Self.database)
        let now = clock.now()
        #expect(now >= Self.database)
        #expect(now < Self.database.adding(seconds: 5))
    }
}
