import Catalogue

extension CUDABackend {
    /// Writes `flush` (a buffer of at least twice the L2 size) so that the next repetition starts with a cold
    /// cache; enqueued before the timed region.
    func flushL2(_ flush: DeviceMemory, runtime: CUDARuntime) throws(MeasureError) {
        try runtime.check(runtime.memsetAsync(flush.pointer, 0, flush.bytes, nil), "cudaMemsetAsync(L2 flush)")
    }

    // MARK: - STREAM

    /// Copy, scale, add, triad and a `double2` copy over fp64 arrays in device memory, kernels compiled by NVRTC;
    /// each repetition starts after an L2 flush; a sample of each array is checked against STREAM's expected
    /// values at the end.
    func stream(context: Context) throws(MeasureError) -> [BenchmarkResult] {
        let runtime = context.runtime
        let plan = context.plan
        let n = plan.streamElements
        let capability = context.info.computeCapability
        // The driver API uses the primary context, current only on the thread that set it: set it here.
        try runtime.setDevice(deviceIndex)
        let image = try NVRTC(names: runtime.preferringOwnMajor(NVRTC.libraryNames, stem: "libnvrtc")).compile(
            source: CUDAStreamKernel.source(),
            name: "parity_stream.cu",
            attempts: CUDAStreamKernel.compileOptions(major: capability.major, minor: capability.minor)
        )
        let driver = try CUDADriver()
        let module = try driver.loadModule(image)
        defer { _ = driver.moduleUnload(module) }
        let a = try DeviceMemory(runtime, bytes: n * 8)
        let b = try DeviceMemory(runtime, bytes: n * 8)
        let c = try DeviceMemory(runtime, bytes: n * 8)
        let flush = try DeviceMemory(runtime, bytes: plan.flushBytes)
        let fill = try driver.function(CUDAStreamKernel.fillFunctionName, in: module)
        let fillShape = CUDASuitePlan.launchShape(elements: n)
        for (memory, value) in [(a, 1.0), (b, 2.0), (c, 0.0)] {
            try driver.launch(
                fill,
                blocks: fillShape.blocks,
                threads: fillShape.threads,
                arguments: [.pointer(memory.pointer), .double(value), .count(n)]
            )
        }
        try runtime.synchronize()
        let timer = try EventTimer(runtime)
        var samples: [CUDAStreamKernel: [Double]] = [:]
        let iterations = plan.bandwidthWarmups + plan.bandwidthRepetitions
        for iteration in 0..<iterations {
            for kernel in CUDAStreamKernel.allCases {
                let function = try driver.function(kernel.functionName, in: module)
                let arguments: [CUDADriver.Argument]
                switch kernel {
                case .copy: arguments = [.pointer(a.pointer), .pointer(c.pointer), .count(n)]
                case .scale:
                    arguments = [.pointer(b.pointer), .pointer(c.pointer), .double(CUDAStreamKernel.scalar), .count(n)]
                case .add: arguments = [.pointer(a.pointer), .pointer(b.pointer), .pointer(c.pointer), .count(n)]
                case .triad:
                    arguments = [
                        .pointer(a.pointer), .pointer(b.pointer), .pointer(c.pointer), .double(CUDAStreamKernel.scalar),
                        .count(n),
                    ]
                case .vectorCopy: arguments = [.pointer(a.pointer), .pointer(c.pointer), .count(n / 2)]
                }
                let shape = CUDASuitePlan.launchShape(elements: n / kernel.elementsPerThread)
                try flushL2(flush, runtime: runtime)
                let seconds = try timer.seconds { () throws(MeasureError) in
                    try driver.launch(function, blocks: shape.blocks, threads: shape.threads, arguments: arguments)
                }
                if iteration >= plan.bandwidthWarmups {
                    samples[kernel, default: []].append(Double(kernel.bytesPerElement * n) / seconds)
                }
            }
        }
        let expected = CUDAStreamKernel.expectedValues(iterations: iterations)
        var passed = true
        for (memory, value) in [(a, expected.a), (b, expected.b), (c, expected.c)] {
            for index in Swift.stride(from: 0, to: n, by: max(1, n / 64)) + [n - 1] {
                var stored = 0.0
                try runtime.copy(to: &stored, from: memory.pointer + index * 8, bytes: 8, .deviceToHost)
                if !(abs(stored - value) <= 1e-12 * abs(value)) { passed = false }
            }
        }
        return CUDAStreamKernel.allCases.map { kernel in
            context.result(
                kernel.benchmark,
                precision: .fp64,
                unit: "B/s",
                samples: samples[kernel] ?? [],
                warmups: plan.bandwidthWarmups,
                sizes: ["elements": n, "bytes": kernel.bytesPerElement * n],
                passed: passed,
                variant: kernel == .vectorCopy ? "double2" : nil
            )
        }
    }

    // MARK: - Copies

    /// Pinned host→device and device→host copies (bytes crossing the link, counted once) and a device→device
    /// copy (counted as read + write, 2 × bytes, as STREAM copy and the PyTorch probe count `dst.copy_(src)`),
    /// each with cudaMemcpyAsync on the default stream, L2 flushed before each repetition; the data is checked on
    /// a sample after the round trip.
    func copies(context: Context) throws(MeasureError) -> [BenchmarkResult] {
        let runtime = context.runtime
        let plan = context.plan
        let bytes = plan.copyBytes
        let host = try PinnedMemory(runtime, bytes: bytes)
        let back = try PinnedMemory(runtime, bytes: bytes)
        let source = try DeviceMemory(runtime, bytes: bytes)
        let destination = try DeviceMemory(runtime, bytes: bytes)
        let flush = try DeviceMemory(runtime, bytes: plan.flushBytes)
        let words = host.pointer.assumingMemoryBound(to: UInt32.self)
        for index in 0..<(bytes / 4) { words[index] = UInt32(truncatingIfNeeded: index &* 2_654_435_761) }
        let timer = try EventTimer(runtime)
        let cases: [(BenchmarkResult.Benchmark, Double, () throws(MeasureError) -> Void)] = [
            (
                .hostToDevice, 1,
                { () throws(MeasureError) in
                    try runtime.copyAsync(to: source.pointer, from: host.pointer, bytes: bytes, .hostToDevice)
                }
            ),
            (
                .deviceToHost, 1,
                { () throws(MeasureError) in
                    try runtime.copyAsync(to: back.pointer, from: source.pointer, bytes: bytes, .deviceToHost)
                }
            ),
            (
                .deviceToDevice, 2,
                { () throws(MeasureError) in
                    try runtime.copyAsync(to: destination.pointer, from: source.pointer, bytes: bytes, .deviceToDevice)
                }
            ),
        ]
        var results: [BenchmarkResult] = []
        for (benchmark, factor, body) in cases {
            var samples: [Double] = []
            for repetition in 0..<(plan.bandwidthWarmups + plan.bandwidthRepetitions) {
                try flushL2(flush, runtime: runtime)
                let seconds = try timer.seconds(body)
                if repetition >= plan.bandwidthWarmups { samples.append(factor * Double(bytes) / seconds) }
            }
            results.append(
                context.result(
                    benchmark,
                    precision: nil,
                    unit: "B/s",
                    samples: samples,
                    warmups: plan.bandwidthWarmups,
                    sizes: ["bytes": bytes],
                    passed: nil
                )
            )
        }
        // Check: the host pattern went to the device and back (h2d, d2h), and the device copy equals its source.
        try runtime.synchronize()
        let returned = back.pointer.assumingMemoryBound(to: UInt32.self)
        var roundTrip = true
        var deviceCopy = true
        for index in Swift.stride(from: 0, to: bytes / 4, by: max(1, bytes / 4 / 256)) {
            if returned[index] != words[index] { roundTrip = false }
            var copied: UInt32 = 0
            try runtime.copy(to: &copied, from: destination.pointer + index * 4, bytes: 4, .deviceToHost)
            if copied != words[index] { deviceCopy = false }
        }
        for index in results.indices {
            let passed = results[index].benchmark == .deviceToDevice ? deviceCopy : roundTrip
            results[index].check = passed ? .passed : .failed
        }
        return results
    }
}
