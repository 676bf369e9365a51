/// The W3C Trace Context headers (`traceparent`, `tracestate`): reading them from an HTTP request
/// into a ``JobTraceContext`` without a tracer, so that a node that exports nothing (the stock
/// `vesper serve`) still carries a producer's context to the nodes that run the job.
public enum W3CTraceContext {
    public static let traceparent = "traceparent"
    public static let tracestate = "tracestate"
    /// The longest `tracestate` carried; W3C asks vendors to propagate at least 512 characters.
    public static let maxTracestateLength = 512

    /// The context of a request whose `traceparent` is valid, with its `tracestate` when that is not
    /// too long; `nil` otherwise. As W3C says, a `traceparent` that does not parse is ignored (the
    /// job starts a trace of its own), not an error, and without it `tracestate` is ignored too.
    public static func context(traceparent: String?, tracestate: String?) -> JobTraceContext? {
        guard let traceparent, traceID(ofTraceparent: traceparent) != nil else { return nil }
        var fields = [Self.traceparent: traceparent]
        if let tracestate, !tracestate.isEmpty, tracestate.utf8.count <= maxTracestateLength {
            fields[Self.tracestate] = tracestate
        }
        return JobTraceContext(fields: fields)
    }

    /// The trace id of a valid `traceparent` (`version-traceid-parentid-flags`, lowercase hex, ids
    /// not all zero, version not `ff`; version `00` has nothing after the flags, later versions
    /// may add `-` fields), or `nil`.
    public static func traceID(ofTraceparent value: String) -> String? {
        let bytes = Array(value.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
            isLowerHex(bytes[0..<2]), isLowerHex(bytes[3..<35]), isLowerHex(bytes[36..<52]), isLowerHex(bytes[53..<55])
        else { return nil }
        let version = bytes[0..<2]
        if version.elementsEqual("ff".utf8) { return nil }
        if version.elementsEqual("00".utf8) ? bytes.count != 55 : (bytes.count > 55 && bytes[55] != UInt8(ascii: "-")) { return nil }
        if bytes[3..<35].allSatisfy({ $0 == UInt8(ascii: "0") }) || bytes[36..<52].allSatisfy({ $0 == UInt8(ascii: "0") }) { return nil }
        return String(decoding: bytes[3..<35], as: UTF8.self)
    }

    private static func isLowerHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
