import Foundation
import Testing
import VesperTestSupport

/// The HTTP timeout variables protect the server from slow clients.
@Suite("HTTP timeouts", .serialized)
struct HTTPTimeoutTests {
    @Test func silentConnectionIsClosedAfterTheReadHeaderTimeout() async throws {
        try await withTemporaryDirectory { directory in
            let node = try await VesperProcess(environment: ["HTTP_READ_HEADER_TIMEOUT": "300ms"], directory: directory.path)
            defer { node.stop() }
            let connection = try RawConnection(port: node.port)
            #expect(connection.waitForClose(seconds: 15))
        }
    }

    @Test func requestWhoseBodyNeverArrivesIsClosedAfterTheReadTimeout() async throws {
        try await withTemporaryDirectory { directory in
            let node = try await VesperProcess(environment: ["HTTP_READ_TIMEOUT": "300ms"], directory: directory.path)
            defer { node.stop() }
            let connection = try RawConnection(port: node.port)
            connection.send("POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\":")
            #expect(connection.waitForClose(seconds: 15))
            // The node is unharmed.
            #expect(try await Node(baseURL: node.baseURL).get("/health").status == 200)
        }
    }
}
