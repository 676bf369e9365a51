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

    static func job(_ row: Row) -> Job {
        Job(
            id: UUID(uuidString: row[1] as String) ?? UUID(),
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
}
