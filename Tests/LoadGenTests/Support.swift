import Foundation
import Simulator

/// A simulator running in this process on 127.0.0.1 and a free port; cancel `task` to stop it.
struct RunningSimulator {
    var port: Int
    var task: Task<Void, any Error>
    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(_ configuration: SimulatorConfiguration) async throws -> RunningSimulator {
        let server = SimulatorServer(configuration: configuration)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            try await server.run(port: 0) { port in continuation.yield(port) }
        }
        for await port in stream { return RunningSimulator(port: port, task: task) }
        throw CancellationError()
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// A TCP port with nothing listening on it (bound, then released).
func unusedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
