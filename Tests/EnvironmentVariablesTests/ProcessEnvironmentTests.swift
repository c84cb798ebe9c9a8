import EnvironmentVariables
import Testing

@Suite struct ProcessEnvironmentTests {
    static let secret = "s3cr3t-value-never-shown"

    /// The EnvironmentError's line, nil when `body` did not throw.
    private func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as EnvironmentError { return error.description } catch { return "not an EnvironmentError: \(error)" }
    }

    @Test func stringsAndTheFirstOfSeveralNames() throws {
        let environment = ProcessEnvironment(["A": "", "B": "b", "DATABASE_URL": "postgres://x"])
        #expect(environment.string("A") == "" && environment.string("MISSING") == nil)
        #expect(environment.nonEmpty("A") == nil && environment.nonEmpty("B") == "b")
        #expect(try environment.required("SIEM_API_DATABASE_URL", "DATABASE_URL") == "postgres://x")
        #expect(message { _ = try ProcessEnvironment([:]).required("SIEM_API_DATABASE_URL", "DATABASE_URL") }
            == "set SIEM_API_DATABASE_URL or DATABASE_URL")
        #expect(message { _ = try ProcessEnvironment([:]).required("DATABASE_URL") } == "set DATABASE_URL")
    }

    @Test func integersInARangeSayWhatIsAllowed() throws {
        let environment = ProcessEnvironment(["N": "12", "BAD": Self.secret, "BIG": "70000", "ZERO": "0"])
        #expect(try environment.int("N", in: 0...65536) == 12)
        #expect(try environment.int("UNSET", in: 0...65536) == nil)
        #expect(message { _ = try environment.int("BIG", in: 0...65536) } == "BIG must be an integer from 0 to 65536")
        #expect(message { _ = try environment.int("ZERO", in: 1...Int.max) } == "ZERO must be a positive integer")
        #expect(message { _ = try environment.int("BAD") } == "BAD must be an integer")
        #expect(message { _ = try environment.int("ZERO", in: 5...Int.max) } == "ZERO must be an integer of at least 5")
    }

    @Test func switchesAreOnOnlyAtOne() {
        let environment = ProcessEnvironment(["ON": "1", "TRUE": "true", "OFF": "0"])
        #expect(environment.bool("ON"))
        #expect(!environment.bool("TRUE") && !environment.bool("OFF") && !environment.bool("UNSET"))
    }

    @Test func secondsArePositive() throws {
        let environment = ProcessEnvironment(["T": "2.5", "NEG": "-1", "NAN": "nan", "TEXT": Self.secret])
        #expect(try environment.seconds("T") == 2.5)
        #expect(try environment.seconds("UNSET") == nil)
        for name in ["NEG", "NAN", "TEXT"] {
            #expect(message { _ = try environment.seconds(name) } == "\(name) must be a positive number")
        }
    }

    @Test func pathsMustBeReadable() throws {
        let environment = ProcessEnvironment(["OK": "/proc/self/status", "NO": "/nonexistent/x", "EMPTY": ""])
        #expect(try environment.readableFile("OK") == "/proc/self/status")
        #expect(try environment.readableFile("EMPTY") == nil)
        #expect(message { _ = try environment.readableFile("EMPTY", emptyIsUnset: false) } == "EMPTY: cannot read ")
        #expect(message { _ = try environment.readableFile("NO") } == "NO: cannot read /nonexistent/x")
        #expect(try environment.fileText("OK")?.isEmpty == false)
        #expect(message { _ = try environment.fileText("NO") } == "NO: cannot read /nonexistent/x")
    }

    /// A wrong value may be a secret pasted into the wrong variable: no error shows it.
    @Test func noErrorShowsTheValue() {
        let environment = ProcessEnvironment(["X": Self.secret])
        let messages = [
            message { _ = try environment.int("X") }, message { _ = try environment.int("X", in: 0...9) },
            message { _ = try environment.seconds("X") },
        ]
        #expect(messages.allSatisfy { $0 != nil && !$0!.contains(Self.secret) && !$0!.contains("\n") })
    }
}
