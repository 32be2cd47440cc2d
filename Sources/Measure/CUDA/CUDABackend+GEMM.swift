import Catalogue

extension CUDABackend {
    /// One square GEMM D = Aᵀ·B in `type`'s precision: operands generated on the host, timed one call per
    /// repetition with CUDA events after warm-ups, and 16 sampled entries of D checked against fp64 dot products.
    func gemm(_ type: CUDAMatmulType, context: Context, lt: CUBLASLt) throws(MeasureError) -> BenchmarkResult {
        let runtime = context.runtime
        let size = context.plan.gemmSize
        let (m, n, k) = (size, size, size)
        let a = try DeviceMemory(runtime, bytes: k * m * type.input.bytes)
        let b = try DeviceMemory(runtime, bytes: k * n * type.input.bytes)
        let d = try DeviceMemory(runtime, bytes: m * n * type.output.bytes)
        let workspace = try DeviceMemory(runtime, bytes: CUBLASLt.workspaceBytes)
        let scale = try DeviceMemory(runtime, bytes: 4)
        var one: Float = 1
        try runtime.copy(to: scale.pointer, from: &one, bytes: 4, .hostToDevice)
        // Operands: generated once into a host buffer, A then B.
        let host = UnsafeMutableRawPointer.allocate(byteCount: max(a.bytes, b.bytes), alignment: 64)
        defer { host.deallocate() }
        for (matrix, memory, count) in [(0, a, k * m), (1, b, k * n)] {
            CUDAMatmulOperands.fill(host, matrix: matrix, count: count, format: type.input)
            try runtime.copy(to: memory.pointer, from: host, bytes: count * type.input.bytes, .hostToDevice)
        }
        let plan = try CUBLASLt.Plan(lt, type: type, m: m, n: n, k: k, scale: scale.pointer)
        let timer = try EventTimer(runtime)
        let operations = CUDAMatmulOperands.operations(m: m, n: n, k: k)
        var samples: [Double] = []
        for repetition in 0..<(context.plan.gemmWarmups + context.plan.gemmRepetitions) {
            let seconds = try timer.seconds { () throws(MeasureError) in
                try plan.run(a: a.pointer, b: b.pointer, d: d.pointer, workspace: workspace.pointer)
            }
            if repetition >= context.plan.gemmWarmups { samples.append(operations / seconds) }
        }
        let passed = try checkGEMM(type, d: d, m: m, n: n, k: k, runtime: runtime)
        return context.result(
            .gemm,
            precision: type.precision,
            unit: type.unit,
            samples: samples,
            warmups: context.plan.gemmWarmups,
            sizes: ["m": m, "n": n, "k": k],
            passed: passed
        )
    }

    /// 16 entries of D, at positions from a fixed seed, against the fp64 reference within the type's tolerance.
    func checkGEMM(
        _ type: CUDAMatmulType,
        d: DeviceMemory,
        m: Int,
        n: Int,
        k: Int,
        runtime: CUDARuntime
    ) throws(MeasureError) -> Bool {
        var generator = SeededGenerator(seed: 6)
        var passed = true
        for _ in 0..<16 {
            let i = generator.index(below: m)
            let j = generator.index(below: n)
            var bits: UInt32 = 0
            try runtime.copy(
                to: &bits,
                from: d.pointer + (i + j * m) * type.output.bytes,
                bytes: type.output.bytes,
                .deviceToHost
            )
            let value = type.output.decode(bits)
            let reference = CUDAMatmulOperands.reference(row: i, column: j, k: k, format: type.input)
            if !(abs(value - reference.value)
                <= type.tolerance(reference: reference.value, absoluteSum: reference.absoluteSum))
            {
                passed = false
            }
        }
        return passed
    }
}
