import Foundation
import Logging
import Vesper

/// Bootstraps swift-log once, with `LOG_LEVEL` and `LOG_FORMAT` (`text` or `json`).
enum LogSetup {
    static func bootstrap(_ configuration: VesperConfiguration) -> Logger {
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let json = configuration.logFormat == "json"
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "vesper")
    }
}
