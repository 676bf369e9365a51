import ServiceLifecycle

/// Runs `round` until graceful shutdown or cancellation, pausing between rounds for as long as the
/// round asks: the loop of every periodic service (statistics, retention, cron).
///
/// It never throws: a service that throws makes its `ServiceGroup` treat shutdown as a failure.
func repeatUntilShutdown(_ round: @escaping @Sendable () async -> Duration) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            let pause = await round()
            try? await Task.sleep(for: pause)
        }
    }
}
