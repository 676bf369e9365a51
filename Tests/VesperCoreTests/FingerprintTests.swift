import Testing
import VesperCore

/// Fingerprints are stored with every job and compared on every idempotent retry, so the digest of
/// a request must stay what it was when the job was stored. The expected values were produced by
/// the original implementation (which built `String(priority)` etc. and hashed those).
@Suite("Request fingerprints")
struct FingerprintTests {
    @Test(arguments: [
        ("demo.noop", "default", 0, "{}", 3, "bf64954c4c533bdd"),
        ("resize_image", "media", 10, #"{"image_url":"cat.png","width":640}"#, 100, "e7fa0303daf5e2ee"),
        ("x", "q", -7, "é", -12345, "4d8776dd67fef34d"),
        ("x", "q", Int.min, "", Int.max, "bf3d3191d23085d5"),
        ("t", "q", 0, "400", 0, "007af7f16d85dac1"),
    ])
    func digestIsStable(type: String, queue: String, priority: Int, payload: String, maxRetries: Int, expected: String) {
        #expect(
            NewJob.fingerprint(type: type, queue: queue, priority: priority, payloadJSON: payload, maxRetries: maxRetries) == expected)
    }
}
