import Catalogue
import Foundation

/// The CUDA backend: GEMM through cuBLASLt in every precision the device supports, device-memory bandwidth with
/// STREAM kernels compiled by NVRTC, pinned host↔device and device↔device copies, and NCCL collectives when
/// more than one GPU is visible. Every library is loaded with dlopen, so Parity builds and runs without CUDA and
/// says what it looked for. Times come from CUDA events around each repetition, after warm-ups.
public struct CUDABackend: Backend {
    public var name: String { "cuda" }
    /// Index of the measured device (`CUDA_VISIBLE_DEVICES` numbering).
    public var deviceIndex: Int

    public init(deviceIndex: Int = 0) {
        self.deviceIndex = deviceIndex
    }

    /// What the runtime reports about the measured device (name and memory read once per run).
    struct DeviceInfo {
        var name: String
        var memoryBytes: Int
        var computeCapability: (major: Int, minor: Int)
        var multiprocessors: Int
        var l2Bytes: Int
        var clockMHz: Double?
        var driverVersion: Int
        var runtimeVersion: Int

        var device: BenchmarkResult.Device {
            BenchmarkResult.Device(
                name: name,
                memoryBytes: Double(memoryBytes),
                driver: CUDABackend.driverDescription(driver: driverVersion, runtime: runtimeVersion),
                clocksMHz: clockMHz
            )
        }
    }

    public func device() -> BenchmarkResult.Device {
        guard let runtime = try? CUDARuntime(), let info = try? info(runtime) else {
            return BenchmarkResult.Device(name: "CUDA device \(deviceIndex) (no CUDA runtime)")
        }
        return info.device
    }

    func info(_ runtime: CUDARuntime) throws(MeasureError) -> DeviceInfo {
        let count = try runtime.deviceCount()
        guard count > deviceIndex else {
            throw .invalid(
                "CUDA runtime found, but \(count) device(s) visible and device \(deviceIndex) asked for "
                    + "(check the driver with nvidia-smi, and CUDA_VISIBLE_DEVICES)"
            )
        }
        try runtime.setDevice(deviceIndex)
        // Optional: CUDA 13 deprecates the clock-rate attribute.
        let clock = (try? runtime.attribute(.clockRateKHz, device: deviceIndex)) ?? 0
        return DeviceInfo(
            name: try runtime.deviceName(deviceIndex),
            memoryBytes: try runtime.totalMemory(),
            computeCapability: (
                try runtime.attribute(.computeCapabilityMajor, device: deviceIndex),
                try runtime.attribute(.computeCapabilityMinor, device: deviceIndex)
            ),
            multiprocessors: try runtime.attribute(.multiprocessors, device: deviceIndex),
            l2Bytes: try runtime.attribute(.l2CacheBytes, device: deviceIndex),
            clockMHz: clock > 0 ? Double(clock) / 1000 : nil,
            driverVersion: try runtime.version(driver: true),
            runtimeVersion: try runtime.version(driver: false)
        )
    }

    public func run(
        _ suite: Suite,
        chip: String,
        progress: @Sendable (String) -> Void
    ) throws(MeasureError) -> [BenchmarkResult] {
        let runtime = try CUDARuntime()
        let info = try info(runtime)
        let plan = CUDASuitePlan(suite: suite, l2Bytes: info.l2Bytes, memoryBytes: info.memoryBytes)
        let context = Context(runtime: runtime, info: info, plan: plan, chip: chip, backend: name)
        progress(
            "\(info.name), compute capability \(info.computeCapability.major).\(info.computeCapability.minor), "
                + "\(context.device.driver ?? "")"
        )
        var results: [BenchmarkResult] = []
        var failures: [String] = []
        func attempt(_ what: String, _ body: () throws(MeasureError) -> [BenchmarkResult]) {
            progress(what)
            do throws(MeasureError) {
                results += try body()
            } catch {
                failures.append("\(what): \(error)")
                progress("warning: \(what) failed: \(error)")
            }
        }
        let precisions = CUDAMatmulType.precisions(
            major: info.computeCapability.major,
            minor: info.computeCapability.minor
        )
        if !precisions.isEmpty {
            do throws(MeasureError) {
                let lt = try CUBLASLt(
                    names: context.runtime.preferringOwnMajor(CUBLASLt.libraryNames, stem: "libcublasLt")
                )
                for precision in precisions {
                    guard let type = CUDAMatmulType(precision) else { continue }
                    attempt("gemm \(precision.rawValue) \(plan.gemmSize)³") { () throws(MeasureError) in
                        [try gemm(type, context: context, lt: lt)]
                    }
                }
            } catch {
                failures.append("gemm: \(error)")
                progress("warning: gemm skipped: \(error)")
            }
        }
        attempt("stream (\(plan.streamElements) fp64 elements per array)") { () throws(MeasureError) in
            try stream(context: context)
        }
        attempt("copies (\(plan.copyBytes) bytes: h2d, d2h, d2d)") { () throws(MeasureError) in
            try copies(context: context)
        }
        let devices = try runtime.deviceCount()
        if devices > 1 {
            attempt("nccl collectives over \(devices) devices") { () throws(MeasureError) in
                try collectives(context: context, devices: devices)
            }
            try runtime.setDevice(deviceIndex)
        }
        if results.isEmpty, let first = failures.first {
            throw .invalid("no CUDA measurement succeeded; \(first)")
        }
        return results
    }

    // MARK: - Pure helpers

    /// "CUDA driver 12.4, runtime 12.4" from cudaDriverGetVersion / cudaRuntimeGetVersion (1000·major + 10·minor).
    static func driverDescription(driver: Int, runtime: Int) -> String {
        func format(_ version: Int) -> String { "\(version / 1000).\(version % 1000 / 10)" }
        return "CUDA driver \(format(driver)), runtime \(format(runtime))"
    }

    /// Everything one measurement records besides its samples.
    struct Context {
        var runtime: CUDARuntime
        var info: DeviceInfo
        var plan: CUDASuitePlan
        var chip: String
        var backend: String
        var device: BenchmarkResult.Device { info.device }
        var time = Date()

        func result(
            _ benchmark: BenchmarkResult.Benchmark,
            precision: Precision?,
            unit: String,
            samples: [Double],
            warmups: Int,
            sizes: [String: Int],
            passed: Bool?,
            variant: String? = nil
        ) -> BenchmarkResult {
            CUDABackend.result(
                benchmark,
                precision: precision,
                unit: unit,
                samples: samples,
                warmups: warmups,
                sizes: sizes,
                passed: passed,
                chip: chip,
                backend: backend,
                variant: variant,
                device: device,
                host: ProcessInfo.processInfo.hostName,
                time: time
            )
        }
    }

    /// Assembles one result; `variant` distinguishes two results of the same benchmark (the vector copy) in the
    /// id and backend; `passed` nil means the check was skipped.
    static func result(
        _ benchmark: BenchmarkResult.Benchmark,
        precision: Precision?,
        unit: String,
        samples: [Double],
        warmups: Int,
        sizes: [String: Int],
        passed: Bool?,
        chip: String,
        backend: String,
        variant: String?,
        device: BenchmarkResult.Device,
        host: String,
        time: Date
    ) -> BenchmarkResult {
        let label = variant.map { "\(backend)-\($0)" } ?? backend
        return BenchmarkResult(
            id: BenchmarkResult.makeID(backend: label, benchmark: benchmark, precision: precision, time: time),
            chip: chip,
            benchmark: benchmark,
            precision: precision,
            unit: unit,
            samples: samples,
            warmups: warmups,
            sizes: sizes,
            backend: variant.map { "\(backend) (\($0))" } ?? backend,
            device: device,
            host: host,
            time: time,
            check: passed.map { $0 ? .passed : .failed } ?? .skipped
        )
    }
}
