import Foundation

/// A vendor tool that reports accelerator power, how to run it and how to read it.
public enum PowerTool: String, Sendable, CaseIterable, Codable {
    case nvidiaSMI = "nvidia-smi"
    case amdSMI = "amd-smi"
    case npuSMI = "npu-smi"
    case cnmon

    /// Tried in this order by `--power auto`: every tool, each reader tested on real output of its tool.
    public static let automatic: [PowerTool] = [.nvidiaSMI, .amdSMI, .npuSMI, .cnmon]

    public var executable: String { rawValue }

    public func arguments(intervalMilliseconds: Int) -> [String] {
        switch self {
        case .nvidiaSMI: NvidiaSMI.arguments(intervalMilliseconds: intervalMilliseconds)
        case .amdSMI: AMDSMI.arguments(intervalMilliseconds: intervalMilliseconds)
        case .npuSMI: NPUSMI.arguments(intervalMilliseconds: intervalMilliseconds)
        case .cnmon: CNMon.arguments(intervalMilliseconds: intervalMilliseconds)
        }
    }

    /// `nvidia-smi -lms` keeps running and prints a line per GPU per interval; the others print one snapshot and
    /// exit, so they are run once per interval.
    public var streams: Bool { self == .nvidiaSMI }

    public func parse(_ text: String) -> [PowerReading] {
        switch self {
        case .nvidiaSMI: NvidiaSMI.parse(text)
        case .amdSMI: AMDSMI.parse(text)
        case .npuSMI: NPUSMI.parse(text)
        case .cnmon: CNMon.parse(text)
        }
    }

    /// The tool's full path when it is on `path` (default: the process's `PATH`), else nil.
    public func locate(path: String? = nil) -> String? {
        let path = path ?? ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = directory + "/" + executable
            if FileManager.default.isExecutableFile(atPath: String(candidate)) { return String(candidate) }
        }
        return nil
    }

    /// The first automatic tool on `PATH`.
    public static func detect(path: String? = nil) -> (PowerTool, String)? {
        for tool in automatic {
            if let found = tool.locate(path: path) { return (tool, found) }
        }
        return nil
    }
}
