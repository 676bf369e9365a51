import Foundation

/// This process's resident memory, read from `/proc/self/status` (Linux; zero elsewhere).
enum MemoryUsage {
    /// Current and peak resident set size in MiB.
    static func residentMiB() -> (current: Double, peak: Double) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func kib(_ field: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return 0 }
            return Double(line.split(separator: " ").dropFirst().first { Double($0) != nil } ?? "0") ?? 0
        }
        return (kib("VmRSS:") / 1024, kib("VmHWM:") / 1024)
    }
}
