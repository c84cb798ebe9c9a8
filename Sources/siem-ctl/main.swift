// siem-ctl: operator tool. Wiring only.
import Catalog
import ArgumentParser
import Auth
import EnvironmentVariables
import Foundation
import Postgres
import Secrets
import Storage

struct SiemCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siem-ctl",
        abstract: "Operate the SIEM collector: sources' state, migrations, tokens, keys.",
        subcommands: [Status.self, Migrate.self, Token.self, GenKey.self, CheckCredentials.self, RotateCredentials.self])
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the SQL migrations that are missing (idempotent).")

    @Option(help: "Directory holding NNN_name.sql files.")
    var sqlDir: String = "sql"

    @Option(help: "Connection string (default: DATABASE_URL).")
    var databaseURL: String = ProcessEnvironment.current.string("DATABASE_URL") ?? ""

    func run() throws {
        guard !databaseURL.isEmpty else { throw ValidationError("set DATABASE_URL or pass --database-url") }
        do {
            let connection = try PostgresConnection(conninfo: databaseURL)
            let applied = try Migrator(connection: connection, directory: sqlDir).migrate()
            print(applied.isEmpty ? "schema is up to date" : "applied: \(applied.joined(separator: ", "))")
        } catch let error as PostgresError {
            throw ValidationError("database: \(error.message)")
        } catch let error as StorageError {
            throw ValidationError(error.description)
        }
    }
}

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mint an HS256 token with SIEM_JWT_SECRET (local use, tests, the demo).")

    @Option(help: "Tenant the token acts for (omit for the poller role).")
    var tenant: String?

    @Option(help: "Role: admin, viewer, poller or metrics (repeatable; poller and metrics get the siem_all_tenants claim).")
    var role: [String] = ["admin"]

    @Option(help: "Lifetime in seconds.")
    var ttl: Int = 3600

    @Option(help: "Subject claim.")
    var subject: String = "siem-ctl"

    func run() throws {
        let environment = ProcessEnvironment.current
        guard let secret = environment.nonEmpty("SIEM_JWT_SECRET") else { throw ValidationError("set SIEM_JWT_SECRET") }
        guard (1...31_536_000).contains(ttl) else { throw ValidationError("--ttl must be 1 to 31536000 seconds") }
        print(try TokenMinter.hs256(secret: Array(secret.utf8), subject: subject, tenantID: tenant, roles: role,
                                    ttlSeconds: ttl, issuer: environment.string("SIEM_JWT_ISSUER"),
                                    audience: environment.string("SIEM_JWT_AUDIENCE")))
    }
}

struct GenKey: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a new master key file (mode 0600).")

    @Option(help: "File to create; refuses to overwrite.")
    var out: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: out) else {
            throw ValidationError("\(out) exists; refusing to overwrite a master key")
        }
        let text = MasterKeyRing.generateKeyFile()
        guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(out)")
        }
        print("wrote \(out)")
    }
}

/// Opens every source's credentials; says which fail (wrong key, moved or damaged ciphertext).
struct CheckCredentials: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decrypt every source's credentials and report which fail (prints no secret).")

    func run() throws {
        let (store, cipher) = try openStore()
        var failures = 0
        for row in try store.all() {
            let binding = CredentialBinding(tenantID: row.tenantID, sourceID: row.sourceID)
            do {
                _ = try cipher.open(row.envelope, for: binding)
                print("\(row.sourceID) ok key=\(CredentialCipher.keyID(of: row.envelope) ?? "?")")
            } catch {
                failures += 1
                print("\(row.sourceID) FAILED \(error.description)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// Re-seals credentials that an older master key sealed with the current key.
struct RotateCredentials: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-seal every source's credentials with the current master key (the first in the key file).",
        discussion: """
            A row is re-sealed only if it is unchanged since it was read, so credentials updated through \
            the API meanwhile are never reverted; a row that changed is read again and retried. Exit \
            status 1 when a row failed or kept changing (run it again).
            Test hook: SIEM_CTL_TEST_PAUSE_AFTER_READ=1 waits for a line on stdin after reading the rows.
            """)

    func run() throws {
        let (store, cipher) = try openStore()
        let summary = try CredentialRotation(store: store, cipher: cipher)
            .run(afterRead: pauseForTestsAfterRead, report: { print($0) })
        print("re-sealed \(summary.resealed) source(s) with key \(cipher.keyRing.currentKeyID); "
            + "\(summary.changed) changed since read (read again and retried), "
            + "\(summary.skipped) skipped as still changing, \(summary.failed) failed")
        if summary.failed > 0 || summary.skipped > 0 { throw ExitCode(1) }
    }
}

/// Test hook: with SIEM_CTL_TEST_PAUSE_AFTER_READ=1, rotation says so and waits for a line on
/// stdin between reading the rows and writing any, so a test can change rows in between.
private func pauseForTestsAfterRead() {
    guard ProcessEnvironment.current.bool("SIEM_CTL_TEST_PAUSE_AFTER_READ") else { return }
    // Unbuffered, unlike print: the test waits for this line before it writes.
    FileHandle.standardOutput.write(Data("paused after reading; press Enter to continue\n".utf8))
    _ = readLine()
}

private func openStore() throws -> (CredentialStore, CredentialCipher) {
    let environment = ProcessEnvironment.current
    let url = try databaseURL(environment)
    let cipher = CredentialCipher(keyRing: try MasterKeyRing.fromEnvironment(environment.variables))
    return (CredentialStore(connection: try PostgresConnection(conninfo: url)), cipher)
}

/// DATABASE_URL, or a usage error "set DATABASE_URL".
func databaseURL(_ environment: ProcessEnvironment = .current) throws -> String {
    do {
        return try environment.required("DATABASE_URL")
    } catch {
        throw ValidationError(error.description)
    }
}

// A connector declaration that cannot be used stops the program with one line naming it.
ConnectorCatalog.requireValid(program: "siem-ctl")
SiemCtl.main()
