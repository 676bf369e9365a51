import PostgresNIO
import VesperCore

/// Turns driver errors into ``VesperError`` without leaking secrets.
///
/// `PSQLError.description` is deliberately generic; its debug description carries the query and
/// its bound values. We build our own text from the error code and the server's own message
/// (SQLSTATE and primary message), which never contain the connection password.
enum PostgresErrorText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PSQLError:
            var parts = ["\(error.code)"]
            if let info = error.serverInfo {
                if let state = info[.sqlState] { parts.append("[\(state)]") }
                if let message = info[.message] { parts.append(message) }
            } else if let underlying = error.underlying {
                parts.append(describe(underlying))
            }
            return parts.joined(separator: " ")
        case let error as PostgresTransactionError:
            if let inner = error.beginError ?? error.closureError ?? error.commitError {
                return describe(inner)
            }
            return "transaction failed"
        case let error as PostgresDecodingError:
            return "cannot decode column \(error.columnName) (\(error.code))"
        default:
            return String(describing: error)
        }
    }

    /// The ``VesperError`` a failed driver call surfaces as.
    static func unavailable(_ error: any Error) -> VesperError {
        VesperError(.unavailable, "PostgreSQL error: \(describe(error))")
    }
}
