/// The operator's dashboard (`/ui`, module VesperWeb): whether a node serves it and what it links to.
public struct DashboardSettings: Sendable, Equatable {
    /// Serve the dashboard at `/ui` (`UI_ENABLED`). Defaults to true.
    public var enabled: Bool = true
    /// A Grafana dashboard the overview links to (`GRAFANA_URL`, http or https). Defaults to none.
    public var grafanaURL: String?
    /// How long a dashboard sign-in lasts. Defaults to 8 hours.
    public var sessionLifetime: Duration = .seconds(8 * 3600)

    public init() {}
}
