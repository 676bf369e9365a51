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
        .executable(name: "vesper-transactional-example", targets: ["VesperTransactionalExample"]),
        .executable(name: "vesper-embedded-example", targets: ["VesperEmbeddedExample"]),
        // Test handlers and producers against a throwaway SQLite queue, with `drain()` and assertions.
        .library(name: "VesperTesting", targets: ["VesperTesting"]),
    ],
    // `PostgreSQL` (on by default) builds the PostgreSQL store into the `Vesper` facade. An
    // application that only uses SQLite can depend on Vesper with `traits: []` and skip compiling
    // postgres-nio and its TLS stack.
    traits: [
        .trait(name: "PostgreSQL", description: "The PostgreSQL store in the Vesper facade (postgres-nio)."),
        .default(enabledTraits: ["PostgreSQL"]),
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
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
    ],
    targets: [
        // Core: job model, lifecycle rules, JobStore protocol, queue client, worker pool, retry policy.
        // No SQL, no HTTP, no environment reading.
        .target(
            name: "VesperCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                // The tracing API only (spans per attempt); exporting is the application's choice.
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(name: "CVesperSQLiteConfig", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "VesperSQLite",
            dependencies: [
                "CVesperSQLiteConfig",
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
                .product(name: "NIOCore", package: "swift-nio"),
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
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
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
        // reads the configuration (the one place the environment is read), picks a store from it
        // and runs API and workers together.
        .target(
            name: "Vesper",
            dependencies: [
                "VesperCore", "VesperSQLite", "VesperHTTP", "VesperWeb",
                .target(name: "VesperPostgres", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "Configuration", package: "swift-configuration"),
                // `FilePath` for the `.env` file handed to swift-configuration.
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `vesper bench`: load generators and correctness checks, a library so tests can run them.
        .target(
            name: "VesperBench",
            dependencies: [
                "Vesper",
                "VesperCore",
                .product(name: "Logging", package: "swift-log"),
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
                "VesperCore",
                "VesperBench",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The README's transactional-enqueue snippet, compiled.
        .executableTarget(
            name: "VesperTransactionalExample",
            dependencies: ["Vesper", "VesperPostgres", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Examples/TransactionalEnqueue"
        ),
        .executableTarget(
            name: "VesperExample",
            dependencies: ["Vesper"],
            path: "Examples/Minimal"
        ),
        // The README's embedding snippets: a Hummingbird app with its own routes and typed jobs, with
        // Vesper as one of its services. The app is a library so its tests can build it.
        .target(
            name: "VesperEmbeddedExampleApp",
            dependencies: ["Vesper", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Examples/Embedded/App"
        ),
        .executableTarget(
            name: "VesperEmbeddedExample",
            dependencies: [
                "Vesper", "VesperEmbeddedExampleApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/Embedded/Main"
        ),
        .target(
            name: "VesperTesting",
            dependencies: ["VesperCore", "VesperSQLite", .product(name: "Logging", package: "swift-log")]
        ),
        // Helpers shared by the test targets: temp directories, a throwaway PostgreSQL, waiting.
        .target(
            name: "VesperTestSupport",
            dependencies: [
                "VesperCore", "VesperSQLite", "VesperPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/VesperTestSupport"
        ),
        .testTarget(
            name: "VesperCoreTests",
            dependencies: [
                "VesperCore", "VesperSQLite", "VesperTestSupport",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]),
        .testTarget(
            name: "VesperStoreTests",
            dependencies: [
                "VesperCore", "VesperSQLite", "VesperPostgres", "VesperTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "VesperHTTPTests",
            dependencies: [
                "Vesper",
                "VesperHTTP",
                "VesperSQLite",
                "VesperTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "VesperWebTests",
            dependencies: ["Vesper", "VesperWeb", "VesperTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        .testTarget(name: "VesperTests", dependencies: ["Vesper", "VesperTestSupport"]),
        // VesperTesting's own tests and the embedded example app's tests, which use it.
        .testTarget(
            name: "VesperTestingTests",
            dependencies: [
                "VesperTesting", "VesperEmbeddedExampleApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "VesperBenchTests", dependencies: ["VesperBench", "VesperTestSupport"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "VesperCore",
                "VesperSQLite",
                "VesperPostgres",
                "VesperTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
