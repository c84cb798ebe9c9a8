internal import Catalog
internal import HTTPRouting
internal import JSONBytes
internal import SourceModel

/// `GET /v1/platforms`: the catalog, so clients (the admin page) build their forms from the
/// same facts the API validates against. Any verified token may read it: it holds no tenant
/// data and no secret, only definitions.
struct PlatformsController {
    /// The catalog does not change while the process runs: rendered once.
    private static let body: [UInt8] = CatalogRenderer.render()

    func platforms(_ context: RequestContext) throws(HTTPError) -> Response {
        guard context.identity != nil else { throw HTTPError.unauthorized("a bearer token is required") }
        return .json(200, Self.body)
    }
}
