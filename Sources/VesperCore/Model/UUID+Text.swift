import Foundation

extension UUID {
    /// The id as Vesper stores and sends it: lowercase hex with dashes, built in one pass
    /// (`uuidString.lowercased()` allocates two strings; ids are formatted on every insert,
    /// finish and rendered job).
    package var lowercaseText: String {
        String(unsafeUninitializedCapacity: 36) { writeLowercaseText(into: $0) }
    }

    /// Calls `body` with ``lowercaseText`` as 36 bytes of UTF-8 in a stack buffer, for binding
    /// or writing without allocating a `String`.
    package func withLowercaseText<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { buffer in
            let count = writeLowercaseText(into: buffer)
            return try body(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Parses 36 characters of hex with dashes, either case. `UUID(uuidString:)` goes through
    /// `sscanf`, which showed in the claim's profile.
    package init?(text: String) {
        var text = text
        let parsed = text.withUTF8 { utf8 -> uuid_t? in
            guard utf8.count == 36 else { return nil }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let valid = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
                var index = 0
                for position in 0..<16 {
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        guard utf8[index] == UInt8(ascii: "-") else { return false }
                        index += 1
                    }
                    guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return false }
                    output[position] = high << 4 | low
                    index += 2
                }
                return true
            }
            return valid ? bytes : nil
        }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    /// Writes the 36 bytes of ``lowercaseText`` into `output`; returns the count.
    private func writeLowercaseText(into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid) { bytes in
            var index = 0
            for (position, byte) in bytes.enumerated() {
                if position == 4 || position == 6 || position == 8 || position == 10 {
                    output[index] = UInt8(ascii: "-")
                    index += 1
                }
                output[index] = Self.hexDigit(byte >> 4)
                output[index + 1] = Self.hexDigit(byte & 0x0F)
                index += 2
            }
            return index
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
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
