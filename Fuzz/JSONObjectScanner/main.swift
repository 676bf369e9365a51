// libFuzzer entry point for JSONObjectScanner; built and run by scripts/fuzz-json-scanner.sh.
// Each input is checked against JSONScannerOracle's invariants, not only for crashes.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONObjectScanner(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let violation = JSONScannerOracle.violation(input) {
        let escaped = input.map { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }
        // Straight to stderr: stdout's buffer would be lost to the abort.
        fputs("JSONObjectScanner invariant violated: \(violation)\ninput (\(size) bytes): \(escaped.joined())\n", stderr)
        abort()
    }
    return 0
}
