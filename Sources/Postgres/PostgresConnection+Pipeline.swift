internal import CLibPQ
internal import Glibc

extension PostgresConnection {
    /// Sends the pending session settings and `sql` in one libpq pipeline, one Sync: a single
    /// round trip and a single implicit transaction. If a setting fails, PostgreSQL skips the
    /// statement (PGRES_PIPELINE_ABORTED); if the statement fails, the transaction's rollback
    /// takes the new settings with it, so they are doubted and sent again with the next one.
    func runInPipeline(_ sql: SQL, after settings: [SessionSettings.Setting]) throws(PostgresError) -> PostgresResult {
        let statements = settings.map(Self.setConfig) + [sql]
        let names = try statements.map { (statement) throws(PostgresError) in try statementName(for: statement) }
        sessionSettings.doubt(settings)
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(code: .connection, message: "could not enter pipeline mode: \(Self.message(handle))")
        }
        for (statement, name) in zip(statements, names) where !send(statement, as: name) {
            throw abandonPipeline("could not send a pipelined statement: \(Self.message(handle))")
        }
        guard PQpipelineSync(handle) == 1 else {
            throw abandonPipeline("could not send the pipeline's sync: \(Self.message(handle))")
        }
        let replies = try readPipeline(statements: statements.count)
        guard PQexitPipelineMode(handle) == 1 else {
            replies.forEach { PQclear($0) }
            throw abandonPipeline("could not leave pipeline mode: \(Self.message(handle))")
        }
        // Every reply is checked in order (each freed): the first failure is the one reported.
        var failure: PostgresError?
        var last: PostgresResult?
        for reply in replies {
            guard failure == nil else { PQclear(reply); continue }
            do { last = try check(reply) } catch { failure = error }
        }
        if let failure { throw failure }
        guard let last else {
            throw PostgresError(code: .protocolViolation, message: "the pipeline returned no result")
        }
        sessionSettings.confirm(settings)
        return last
    }

    private func send(_ sql: SQL, as name: String) -> Bool {
        Self.withBindValues(sql) { PQsendQueryPrepared(handle, name, Int32(sql.binds.count), $0, nil, nil, 0) } == 1
    }

    /// Reads every statement's reply up to the Sync; a pipeline that does not add up
    /// (connection lost mid-way) is abandoned with its session.
    private func readPipeline(statements: Int) throws(PostgresError) -> [OpaquePointer] {
        var reader = PipelineReplies<OpaquePointer>(statements: statements)
        while case .reading = reader.state {
            guard let result = PQgetResult(handle) else {
                reader.read(.endOfStatement)
                continue
            }
            if PQresultStatus(result) == PGRES_PIPELINE_SYNC {
                PQclear(result)
                reader.read(.sync)
            } else {
                reader.read(.reply(result))
            }
        }
        switch reader.state {
        case .complete(let replies):
            return replies
        case .broken(let reason):
            reader.received.forEach { PQclear($0) }
            throw abandonPipeline("\(reason): \(Self.message(handle))")
        case .reading:
            throw abandonPipeline("the pipeline was left unread")
        }
    }

    /// A pipeline that failed half-way leaves the session in an unknown state: it is closed,
    /// and the next statement opens a new one (with every setting) or fails as `.connection`.
    private func abandonPipeline(_ message: String) -> PostgresError {
        let error = PostgresError(code: .connection, message: message)
        dropSession()
        return error
    }
}
