import Hummingbird

/// `GET /openapi.json`: the API contract (`openapi.yaml`, compiled in as ``OpenAPIDocument``).
struct OpenAPIRoutes<Context: RequestContext> {
    func register(on router: some RouterMethods<Context>) {
        router.get("openapi.json") { _, _ in Response.json(OpenAPIDocument.json) }
    }
}
