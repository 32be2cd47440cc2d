/// Problem sizes and repetitions of the CUDA suites, from the suite and what the device reports.
struct CUDASuitePlan: Sendable, Equatable {
    /// Square GEMM size m = n = k (quick 4096, full 8192: the size the acceptance bar compares with torch.matmul).
    var gemmSize: Int
    var gemmWarmups: Int
    var gemmRepetitions: Int
    /// Elements (fp64) of each STREAM array.
    var streamElements: Int
    /// Bytes of one host↔device or device↔device copy.
    var copyBytes: Int
    var bandwidthWarmups: Int
    var bandwidthRepetitions: Int
    /// Bytes written before each bandwidth repetition to evict the L2 cache.
    var flushBytes: Int
    /// Bytes per rank of each collective (nccl-tests' "size").
    var collectiveBytes: Int

    init(suite: Suite, l2Bytes: Int, memoryBytes: Int) {
        let quick = suite == .quick
        gemmSize = quick ? 4096 : 8192
        gemmWarmups = quick ? 3 : 10
        gemmRepetitions = quick ? 10 : 30
        // STREAM's rule (arrays ≥ 4× the last-level cache) is far exceeded: 256 MiB (quick) or 1 GiB (full) per
        // array, capped so that the three arrays and the flush buffer use under half the device memory.
        let wanted = quick ? 256 << 20 : 1 << 30
        let cap = max(64 << 20, memoryBytes / 8)
        let arrayBytes = max(4 * l2Bytes, min(wanted, cap))
        streamElements = arrayBytes / 8 / 1024 * 1024
        copyBytes = min(wanted, cap) / 4096 * 4096
        bandwidthWarmups = quick ? 2 : 5
        bandwidthRepetitions = quick ? 10 : 30
        flushBytes = max(2 * l2Bytes, 64 << 20)
        collectiveBytes = quick ? 32 << 20 : 512 << 20
    }

    /// Threads per block and blocks for a one-element-per-thread launch over `elements` (the kernels also
    /// loop with a grid stride, so a capped grid stays correct).
    static func launchShape(elements: Int, threadsPerBlock: Int = 256) -> (blocks: Int, threads: Int) {
        let blocks = min(max(1, (elements + threadsPerBlock - 1) / threadsPerBlock), Int(Int32.max))
        return (blocks, threadsPerBlock)
    }
}
