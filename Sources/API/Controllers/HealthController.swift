internal import HTTPRouting
internal import Storage
internal import JSONBytes

/// `GET /v1/health`: no auth; says whether the database answers.
struct HealthController {
    let repository: SourceRepository

    func health(_ context: RequestContext) -> Response {
        let databaseUp = repository.ping()
        return .json(databaseUp ? 200 : 503) { writer in
            writer.beginObject()
            writer.key("status"); writer.string(databaseUp ? "ok" : "degraded")
            writer.key("database"); writer.string(databaseUp ? "ok" : "unreachable")
            writer.endObject()
        }
    }
}
