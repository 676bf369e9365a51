/// Where typed handlers and middleware are registered: a `Vesper` node, or a `VesperTestQueue` in
/// tests. An application that registers its jobs through this protocol registers them once, for
/// production and for its tests.
public protocol JobRegistrar: Sendable {
    /// Runs `handler` for jobs of `J.type`, with the payload decoded as `J`.
    func register<J: VesperJob>(_ job: J.Type, handler: @escaping @Sendable (J, JobContext) async throws -> Void)
    /// Adds `middleware` inside the ones added before.
    func use(_ middleware: any JobMiddleware)
}
