// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "vesper",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Vesper", targets: ["Vesper"]),
        .library(name: "VesperCore", targets: ["VesperCore"]),
        .library(name: "VesperSQLite", targets: ["VesperSQLite"]),
        .library(name: "VesperPostgres", targets: ["VesperPostgres"]),
        .library(name: "VesperHTTP", targets: ["VesperHTTP"]),
        .library(name: "VesperWeb", targets: ["VesperWeb"]),
        .executable(name: "vesper", targets: ["VesperCLI"]),
        .executable(name: "vesper-example", targets: ["VesperExample"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // Core: job model, JobStore protocol, dispatcher, worker pool, retry policy, configuration.
        // No SQL, no HTTP.
        .target(
            name: "VesperCore",
            dependencies: [
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "VesperSQLite",
            dependencies: [
                "VesperCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API, for binding values on the enqueue hot path (SQLiteJobInsert).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "VesperPostgres",
            dependencies: [
                "VesperCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "VesperHTTP",
            dependencies: [
                "VesperCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The operator's dashboard at /ui: server-rendered pages, sessions, CSRF; assets compiled in.
        .target(
            name: "VesperWeb",
            dependencies: [
                "VesperCore", "VesperHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The user-facing umbrella: `import Vesper` gives the core API plus the `Vesper` facade that
        // picks a store from configuration and runs API and workers together.
        .target(
            name: "Vesper",
            dependencies: [
                "VesperCore", "VesperSQLite", "VesperPostgres", "VesperHTTP", "VesperWeb",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // `vesper bench`: load generators and correctness checks, a library so tests can run them.
        .target(
            name: "VesperBench",
            dependencies: [
                "Vesper",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "VesperCLI",
            dependencies: [
                "Vesper",
                "VesperBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "VesperExample",
            dependencies: ["Vesper"],
            path: "Examples/Minimal"
        ),
        // Helpers shared by the test targets: temp directories, a throwaway PostgreSQL, waiting.
        .target(
            name: "VesperTestSupport",
            dependencies: ["VesperCore", "VesperSQLite", "VesperPostgres"],
            path: "Tests/VesperTestSupport"
        ),
        .testTarget(name: "VesperCoreTests", dependencies: ["VesperCore", "VesperSQLite", "VesperTestSupport"]),
        .testTarget(
            name: "VesperStoreTests",
            dependencies: ["VesperCore", "VesperSQLite", "VesperPostgres", "VesperTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "VesperHTTPTests",
            dependencies: [
                "Vesper",
                "VesperTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "VesperWebTests",
            dependencies: ["Vesper", "VesperWeb", "VesperTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        .testTarget(name: "VesperBenchTests", dependencies: ["VesperBench", "VesperTestSupport"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "VesperCore",
                "VesperTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
