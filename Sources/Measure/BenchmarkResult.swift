public import Catalogue
public import Foundation

/// One measurement of one benchmark on one device, as every backend and probe reports it
/// (schema `parity.measurement/1`). Values are in base units: FLOP/s (or OP/s) and bytes per second.
public struct BenchmarkResult: Sendable, Hashable, Codable, Identifiable {
    public static let currentSchema = "parity.measurement/1"

    /// What was measured.
    public enum Benchmark: String, Sendable, Hashable, Codable, CaseIterable {
        /// Matrix multiply; `precision` says which.
        case gemm
        case streamCopy = "stream-copy"
        case streamScale = "stream-scale"
        case streamAdd = "stream-add"
        case streamTriad = "stream-triad"
        case streamDot = "stream-dot"
        case hostToDevice = "h2d"
        case deviceToHost = "d2h"
        case deviceToDevice = "d2d"
        case allReduce = "all-reduce"
        case allGather = "all-gather"
        case reduceScatter = "reduce-scatter"
        case allToAll = "all-to-all"

        /// `true` for the device-memory bandwidth kernels.
        public var isMemoryBandwidth: Bool {
            switch self {
            case .streamCopy, .streamScale, .streamAdd, .streamTriad, .streamDot: true
            default: false
            }
        }
    }

    /// Outcome of the correctness check against a reference on a sample.
    public enum Check: String, Sendable, Hashable, Codable {
        case passed, failed, skipped
    }

    /// The measured device as the backend saw it.
    public struct Device: Sendable, Hashable, Codable {
        public var name: String
        public var memoryBytes: Double?
        public var driver: String?
        public var clocksMHz: Double?

        public init(name: String, memoryBytes: Double? = nil, driver: String? = nil, clocksMHz: Double? = nil) {
            self.name = name
            self.memoryBytes = memoryBytes
            self.driver = driver
            self.clocksMHz = clocksMHz
        }
    }

    public var schema: String
    /// Unique, stable identifier (cited by reports as `measured:<id>`).
    public var id: String
    /// Catalogue id of the measured chip.
    public var chip: String
    public var benchmark: Benchmark
    public var precision: Precision?
    /// `FLOP/s`, `OP/s` or `B/s`.
    public var unit: String
    /// The derived value of each timed repetition, in `unit`.
    public var samples: [Double]
    public var warmups: Int
    /// Problem sizes, e.g. `m`, `n`, `k` or `bytes`.
    public var sizes: [String: Int]
    public var backend: String
    public var device: Device?
    public var host: String?
    public var time: Date
    public var check: Check

    public init(
        id: String,
        chip: String,
        benchmark: Benchmark,
        precision: Precision? = nil,
        unit: String,
        samples: [Double],
        warmups: Int = 0,
        sizes: [String: Int] = [:],
        backend: String,
        device: Device? = nil,
        host: String? = nil,
        time: Date = Date(),
        check: Check = .skipped
    ) {
        self.schema = Self.currentSchema
        self.id = id
        self.chip = chip
        self.benchmark = benchmark
        self.precision = precision
        self.unit = unit
        self.samples = samples
        self.warmups = warmups
        self.sizes = sizes
        self.backend = backend
        self.device = device
        self.host = host
        self.time = time
        self.check = check
    }

    /// The median of the samples (the figure a comparison uses).
    public var median: Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    public var repetitions: Int { samples.count }
}
