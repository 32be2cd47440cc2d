import Foundation

/// The client process's own CPU time (user + system, `getrusage(RUSAGE_SELF)`): every thread of the process,
/// so a run's figure includes its event loops, the scheduler and result building.
public struct ClientCPU: Sendable, Hashable {
    public var user: Double
    public var system: Double

    public init(user: Double, system: Double) {
        self.user = user
        self.system = system
    }

    public var total: Double { user + system }

    public static func now() -> ClientCPU {
        var usage = rusage()
        #if os(Linux)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return ClientCPU(user: 0, system: 0) }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ClientCPU(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }

    public static func - (lhs: ClientCPU, rhs: ClientCPU) -> ClientCPU {
        ClientCPU(user: lhs.user - rhs.user, system: lhs.system - rhs.system)
    }
}
