import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// Random 64-bit values from the operating system's cryptographic generator, fetched 4 KiB at a time.
///
/// `UInt64.random(in:)` asks the kernel for 8 bytes per call (a `getrandom` system call on Linux,
/// ~0.7 µs on this machine), which made it the largest single cost of building a job id. The
/// kernel's bytes are just as good in bulk: one read of 512 values, handed out under a lock, costs
/// ~0.08 µs per value. A process that `fork`s without `exec` would share the unread rest of the
/// buffer with its child; Swift servers do not do that (`Process` spawns).
final class BufferedRandom: Sendable {
    /// The process-wide source behind ``TimeOrderedID``.
    static let shared = BufferedRandom()

    private struct Pool {
        var values = [UInt64](repeating: 0, count: 512)
        /// The next unused index; `values.count` means "refill first".
        var next = 512
    }

    private let pool = Mutex(Pool())

    func next() -> UInt64 {
        pool.withLock { pool in
            if pool.next == pool.values.count {
                pool.values.withUnsafeMutableBytes { Self.fill($0) }
                pool.next = 0
            }
            defer { pool.next += 1 }
            return pool.values[pool.next]
        }
    }

    /// Fills `buffer` from the kernel, or value by value from the standard library's system
    /// generator when the bulk read is not possible.
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        if readSystemRandom(into: buffer) { return }
        var generator = SystemRandomNumberGenerator()
        for offset in stride(from: 0, to: buffer.count, by: 8) {
            buffer.storeBytes(of: generator.next() as UInt64, toByteOffset: offset, as: UInt64.self)
        }
    }

    private static func readSystemRandom(into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        #if canImport(Darwin)
        arc4random_buf(buffer.baseAddress!, buffer.count)
        return true
        #else
        // /dev/urandom is the same generator as getrandom(2), which Glibc does not export to Swift.
        let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var filled = 0
        while filled < buffer.count {
            let count = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count > 0 {
                filled += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
        #endif
    }
}
