import Foundation

/// A small, fast, seedable generator (SplitMix64) for fuzz loops, so a failing run can be
/// replayed from the seed it printed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// `VESPER_FUZZ_SEED` when set, otherwise a fresh random seed.
    public static func seedFromEnvironment() -> UInt64 {
        ProcessInfo.processInfo.environment["VESPER_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Bytes as pasteable text: printable ASCII as is, `\r` `\n` `\t`, everything else `\xNN`.
public func escapedBytes<Bytes: Sequence<UInt8>>(_ bytes: Bytes, limit: Int = .max) -> String {
    var output = ""
    var count = 0
    for byte in bytes {
        if count == limit {
            output += "…"
            break
        }
        count += 1
        switch byte {
        case UInt8(ascii: "\r"): output += "\\r"
        case UInt8(ascii: "\n"): output += "\\n"
        case UInt8(ascii: "\t"): output += "\\t"
        case UInt8(ascii: "\\"): output += "\\\\"
        case 0x20..<0x7F: output.unicodeScalars.append(Unicode.Scalar(byte))
        default: output += String(format: "\\x%02x", byte)
        }
    }
    return output
}
