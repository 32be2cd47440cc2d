public import Catalogue
import Foundation

/// The CPU backend: STREAM-style bandwidth kernels over all cores, and GEMM through the system BLAS
/// (OpenBLAS from Debian, loaded at run time). A reference on any host, and the backend the tests exercise.
public struct CPUBackend: Backend {
    public var name: String { "cpu" }
    /// Threads for the STREAM kernels (default: every core).
    public var threads: Int

    public init(threads: Int? = nil) {
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    static let blasNames = [
        "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0", "libblas.so.3",
    ]

    public func device() -> BenchmarkResult.Device {
        let model = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        return BenchmarkResult.Device(
            name: "\(model ?? "CPU") × \(ProcessInfo.processInfo.activeProcessorCount) threads",
            memoryBytes: Double(ProcessInfo.processInfo.physicalMemory)
        )
    }

    /// Last-level cache size in bytes, from sysfs (32 MiB when unreadable).
    static func lastLevelCacheBytes() -> Int {
        var largest = 0
        for index in 0..<8 {
            let path = "/sys/devices/system/cpu/cpu0/cache/index\(index)/size"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let multiplier = trimmed.hasSuffix("K") ? 1024 : trimmed.hasSuffix("M") ? 1 << 20 : 1
            if let value = Int(trimmed.trimmingCharacters(in: .letters)) { largest = max(largest, value * multiplier) }
        }
        return largest > 0 ? largest : 32 << 20
    }

    /// STREAM's rule: each array at least four times the last-level cache (quick) or eight times (full).
    public static func streamElements(suite: Suite, cacheBytes: Int? = nil) -> Int {
        let factor = suite == .quick ? 4 : 8
        return max(1 << 20, factor * (cacheBytes ?? lastLevelCacheBytes()) / MemoryLayout<Double>.stride)
    }

    public func run(
        _ suite: Suite,
        chip: String,
        progress: @Sendable (String) -> Void
    ) throws(MeasureError) -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        progress("stream (\(threads) threads)")
        results += stream(suite: suite, chip: chip)
        for precision in [Precision.fp64, .fp32] {
            progress("gemm \(precision.rawValue)")
            results.append(
                try gemm(
                    precision: precision,
                    size: suite == .quick ? 1024 : 4096,
                    chip: chip,
                    repetitions: suite == .quick ? 3 : 10
                )
            )
        }
        return results
    }

    // MARK: - STREAM

    /// Copy, scale, add, triad and dot, each timed `repetitions` times after one warm-up, checked against the
    /// values STREAM's own validation expects.
    public func stream(suite: Suite, chip: String, elements: Int? = nil, repetitions: Int? = nil) -> [BenchmarkResult] {
        let n = elements ?? Self.streamElements(suite: suite)
        let reps = repetitions ?? (suite == .quick ? 5 : 20)
        let arrays = StreamArrays(count: n, threads: threads)
        defer { arrays.deallocate() }
        let scalar = 3.0
        let threads = self.threads
        let chunk = (n + threads - 1) / threads
        func parallel(_ body: @Sendable (Range<Int>) -> Void) {
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let start = t * chunk
                let end = min(n, start + chunk)
                if start < end { body(start..<end) }
            }
        }
        // First touch in parallel, so that pages land near the threads that use them.
        parallel { range in
            for i in range {
                arrays.a[i] = 1
                arrays.b[i] = 2
                arrays.c[i] = 0
            }
        }
        let bytes = Double(n * MemoryLayout<Double>.stride)
        var expected = (a: 1.0, b: 2.0, c: 0.0)
        var samples: [BenchmarkResult.Benchmark: [Double]] = [:]
        var dotValue = 0.0
        let clock = ContinuousClock()
        for rep in 0...reps {
            let kernels: [(BenchmarkResult.Benchmark, Double, () -> Void)] = [
                (.streamCopy, 2 * bytes, { parallel { r in for i in r { arrays.c[i] = arrays.a[i] } } }),
                (.streamScale, 2 * bytes, { parallel { r in for i in r { arrays.b[i] = scalar * arrays.c[i] } } }),
                (.streamAdd, 3 * bytes, { parallel { r in for i in r { arrays.c[i] = arrays.a[i] + arrays.b[i] } } }),
                (
                    .streamTriad, 3 * bytes,
                    { parallel { r in for i in r { arrays.a[i] = arrays.b[i] + scalar * arrays.c[i] } } }
                ),
                (
                    .streamDot, 2 * bytes,
                    {
                        DispatchQueue.concurrentPerform(iterations: threads) { t in
                            let start = t * chunk
                            let end = min(n, start + chunk)
                            var sum = 0.0
                            if start < end { for i in start..<end { sum += arrays.a[i] * arrays.b[i] } }
                            arrays.partials[t] = sum
                        }
                        dotValue = (0..<threads).reduce(0) { $0 + arrays.partials[$1] }
                    }
                ),
            ]
            for (benchmark, moved, kernel) in kernels {
                let start = clock.now
                kernel()
                let elapsed = clock.now - start
                if rep > 0 { samples[benchmark, default: []].append(moved / elapsed.inSeconds) }
            }
            expected.c = expected.a
            expected.b = scalar * expected.c
            expected.c = expected.a + expected.b
            expected.a = expected.b + scalar * expected.c
        }
        // STREAM's check: every array holds the value the sequence implies; the dot product matches.
        let stride = max(1, n / 1000)
        let arraysOK = Swift.stride(from: 0, to: n, by: stride).allSatisfy { i in
            abs(arrays.a[i] - expected.a) <= 1e-13 * abs(expected.a)
                && abs(arrays.b[i] - expected.b) <= 1e-13 * abs(expected.b)
                && abs(arrays.c[i] - expected.c) <= 1e-13 * abs(expected.c)
        }
        let dotOK =
            abs(dotValue - expected.a * expected.b * Double(n)) <= 1e-8 * abs(expected.a * expected.b * Double(n))
        let time = Date()
        return [BenchmarkResult.Benchmark.streamCopy, .streamScale, .streamAdd, .streamTriad, .streamDot].map {
            benchmark in
            BenchmarkResult(
                id: BenchmarkResult.makeID(backend: name, benchmark: benchmark, precision: .fp64, time: time),
                chip: chip,
                benchmark: benchmark,
                precision: .fp64,
                unit: "B/s",
                samples: samples[benchmark] ?? [],
                warmups: 1,
                sizes: ["elements": n, "threads": threads],
                backend: name,
                device: device(),
                host: ProcessInfo.processInfo.hostName,
                time: time,
                check: (benchmark == .streamDot ? dotOK : arraysOK) ? .passed : .failed
            )
        }
    }

    // MARK: - GEMM

    typealias DGEMM =
        @convention(c) (
            Int32, Int32, Int32, Int32, Int32, Int32, Double, UnsafePointer<Double>?, Int32, UnsafePointer<Double>?,
            Int32, Double, UnsafeMutablePointer<Double>?, Int32
        ) -> Void
    typealias SGEMM =
        @convention(c) (
            Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32, UnsafePointer<Float>?,
            Int32, Float, UnsafeMutablePointer<Float>?, Int32
        ) -> Void

    /// C = A·B for square matrices of `size`, row-major, through `cblas_dgemm` / `cblas_sgemm`; a sample of
    /// C's entries is checked against dot products computed here.
    public func gemm(
        precision: Precision,
        size: Int,
        chip: String,
        repetitions: Int
    ) throws(MeasureError) -> BenchmarkResult {
        let library = try SharedLibrary(names: Self.blasNames, what: "BLAS library (install Debian's libopenblas0)")
        let n = Int32(size)
        let rowMajor: Int32 = 101
        let noTrans: Int32 = 111
        let outcome: (samples: [Double], passed: Bool)
        switch precision {
        case .fp64:
            let dgemm = try library.symbol("cblas_dgemm", as: DGEMM.self)
            outcome = Self.timeGEMM(Double.self, size: size, repetitions: repetitions, tolerance: 1e-9 * Double(size)) {
                dgemm(rowMajor, noTrans, noTrans, n, n, n, 1, $0, n, $1, n, 0, $2, n)
            }
        case .fp32:
            let sgemm = try library.symbol("cblas_sgemm", as: SGEMM.self)
            outcome = Self.timeGEMM(
                Float.self,
                size: size,
                repetitions: repetitions,
                tolerance: 1e-3 * Double(size).squareRoot()
            ) {
                sgemm(rowMajor, noTrans, noTrans, n, n, n, 1, $0, n, $1, n, 0, $2, n)
            }
        default:
            throw .invalid("the CPU backend measures GEMM in fp64 and fp32, not \(precision.rawValue)")
        }
        let samples = outcome.samples
        let passed = outcome.passed
        let time = Date()
        return BenchmarkResult(
            id: BenchmarkResult.makeID(backend: name, benchmark: .gemm, precision: precision, time: time),
            chip: chip,
            benchmark: .gemm,
            precision: precision,
            unit: "FLOP/s",
            samples: samples,
            warmups: 1,
            sizes: ["m": size, "n": size, "k": size],
            backend: "\(name) (\(library.path))",
            device: device(),
            host: ProcessInfo.processInfo.hostName,
            time: time,
            check: passed ? .passed : .failed
        )
    }
}

extension CPUBackend {
    /// Times `repetitions` square multiplications of random matrices after a warm-up, and checks 16 sampled
    /// entries of the product against dot products computed in double precision.
    static func timeGEMM<T: BinaryFloatingPoint>(
        _: T.Type,
        size: Int,
        repetitions: Int,
        tolerance: Double,
        multiply: (UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void
    ) -> (samples: [Double], passed: Bool) {
        var generator = SeededGenerator(seed: 7)
        let a = (0..<size * size).map { _ in T(generator.unit() - 0.5) }
        let b = (0..<size * size).map { _ in T(generator.unit() - 0.5) }
        var c = [T](repeating: 0, count: size * size)
        let flops = 2 * Double(size) * Double(size) * Double(size)
        let clock = ContinuousClock()
        var samples: [Double] = []
        for rep in 0...repetitions {
            let start = clock.now
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in multiply(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!)
                    }
                }
            }
            if rep > 0 { samples.append(flops / (clock.now - start).inSeconds) }
        }
        var passed = true
        for _ in 0..<16 {
            let i = generator.index(below: size)
            let j = generator.index(below: size)
            var reference = 0.0
            for k in 0..<size { reference += Double(a[i * size + k]) * Double(b[k * size + j]) }
            if abs(reference - Double(c[i * size + j])) > tolerance { passed = false }
        }
        return (samples, passed)
    }
}

/// The STREAM arrays, shared by the worker threads (each writes only its own range).
struct StreamArrays: @unchecked Sendable {
    let a: UnsafeMutablePointer<Double>
    let b: UnsafeMutablePointer<Double>
    let c: UnsafeMutablePointer<Double>
    let partials: UnsafeMutablePointer<Double>

    init(count: Int, threads: Int) {
        a = .allocate(capacity: count)
        b = .allocate(capacity: count)
        c = .allocate(capacity: count)
        partials = .allocate(capacity: threads)
    }

    func deallocate() {
        a.deallocate()
        b.deallocate()
        c.deallocate()
        partials.deallocate()
    }
}
