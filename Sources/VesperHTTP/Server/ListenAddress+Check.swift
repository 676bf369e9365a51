#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VesperCore

extension ListenAddress {
    /// Binds and releases the address once, so a node that cannot listen says so before it joins
    /// the fleet (an address in use once left a ghost node in `GET /workers` for seconds, and a
    /// raw `bind(...)` error that named neither `API_ADDR` nor the port).
    ///
    /// - Throws: ``ConfigurationError`` naming `variable`, the address and the cause.
    public func checkCanListen(variable: String = "API_ADDR") throws(ConfigurationError) {
        func failure(_ cause: String) -> ConfigurationError {
            ConfigurationError(variable: variable, message: "cannot listen on \(host):\(port): \(cause)")
        }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &found)
        guard resolved == 0, let first = found else {
            throw failure("\(String(cString: gai_strerror(resolved))) (not an address of this machine)")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        defer { close(fd) }
        // The same option the server sets, so a port in TIME_WAIT is not taken for one in use.
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let cause = errno == EADDRINUSE ? "the port is already in use" : String(cString: strerror(errno))
            throw failure(cause)
        }
    }
}
