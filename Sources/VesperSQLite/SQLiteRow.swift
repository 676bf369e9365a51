import Foundation
import GRDB
import VesperCore

/// Conversions between `Job` and SQLite rows.
enum SQLiteRow {
    /// The columns every job-returning statement selects, in this order.
    static let columns = """
        seq, id, type, queue, priority, payload, status, retries, max_retries, error, run_at, created_at,
        updated_at, started_at, finished_at, idempotency_key, attempt, timeout_ms, worker_id, lease_until
        """

    /// Runs `statement` and decodes each row straight from SQLite as it is stepped (a cursor, so
    /// no copied `Row` per job: on a claim of hundreds of jobs that copy was most of the decoding).
    static func jobs(_ statement: Statement, arguments: StatementArguments) throws -> [Job] {
        try Array(Row.fetchCursor(statement, arguments: arguments).map(job))
    }

    /// The columns a claim returns: the ones it does not set itself.
    static let claimedColumns = """
        seq, id, type, queue, priority, payload, retries, max_retries, error, run_at, created_at, idempotency_key,
        attempt, timeout_ms
        """

    /// A job a claim just leased: the columns the claim set come from the request, rounded as stored.
    static func claimedJobs(_ statement: Statement, arguments: StatementArguments, request: ClaimRequest) throws -> [Job] {
        let now = date(micros(request.now))
        let leaseUntil = date(micros(request.leaseUntil))
        return try Array(
            Row.fetchCursor(statement, arguments: arguments).map { row in
                Job(
                    id: uuid(row[1] as String) ?? UUID(), type: row[2], queue: row[3], priority: row[4], payload: row[5],
                    storedStatus: .processing, retries: row[6], maxRetries: row[7], error: row[8], runAt: date(row[9]),
                    createdAt: date(row[10]), updatedAt: now, startedAt: now, finishedAt: nil, idempotencyKey: row[11],
                    attempt: row[12], timeoutSeconds: Double(row[13] as Int64) / 1000, workerID: request.workerID,
                    leaseUntil: leaseUntil, sequence: row[0])
            })
    }

    static func job(_ row: Row) -> Job {
        Job(
            id: uuid(row[1] as String) ?? UUID(),
            type: row[2],
            queue: row[3],
            priority: row[4],
            payload: row[5],
            storedStatus: JobStatus(rawValue: row[6] as String) ?? .pending,
            retries: row[7],
            maxRetries: row[8],
            error: row[9],
            runAt: date(row[10]),
            createdAt: date(row[11]),
            updatedAt: date(row[12]),
            startedAt: (row[13] as Int64?).map(date),
            finishedAt: (row[14] as Int64?).map(date),
            idempotencyKey: row[15],
            attempt: row[16],
            timeoutSeconds: Double(row[17] as Int64) / 1000,
            workerID: row[18],
            leaseUntil: (row[19] as Int64?).map(date),
            sequence: row[0]
        )
    }

    static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    /// The stored form of an id: lowercase hex with dashes, built in one pass
    /// (`uuidString.lowercased()` allocated two strings on every insert and finish).
    static func id(_ uuid: UUID) -> String {
        String(unsafeUninitializedCapacity: 36) { write(uuid, into: $0) }
    }

    /// Calls `body` with the stored form of `uuid` (36 bytes of UTF-8) in a stack buffer, for
    /// binding without allocating a `String`.
    static func withID<Result>(_ uuid: UUID, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { buffer in
            let count = write(uuid, into: buffer)
            return try body(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes the 36 bytes of the stored form of `uuid` into `output`; returns the count.
    private static func write(_ uuid: UUID, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            var index = 0
            for (position, byte) in bytes.enumerated() {
                if position == 4 || position == 6 || position == 8 || position == 10 {
                    output[index] = UInt8(ascii: "-")
                    index += 1
                }
                output[index] = hexDigits[Int(byte >> 4)]
                output[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Parses the stored form (36 characters, hex with dashes, either case). Foundation's
    /// `UUID(uuidString:)` goes through `sscanf`, which showed in the claim's profile.
    static func uuid(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { utf8 -> UUID? in
            guard utf8.count == 36 else { return nil }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
                var index = 0
                for position in 0..<16 {
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        guard utf8[index] == UInt8(ascii: "-") else { return false }
                        index += 1
                    }
                    guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return false }
                    output[position] = high << 4 | low
                    index += 2
                }
                return true
            }
            return parsed ? UUID(uuid: bytes) : nil
        }
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
