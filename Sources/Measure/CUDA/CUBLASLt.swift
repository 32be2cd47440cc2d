import Catalogue

/// cuBLASLt (libcublasLt), loaded with dlopen: one handle, and a matmul plan per precision with the algorithm
/// cuBLASLt's heuristic ranks first (what torch.matmul gets by default, without autotuning).
final class CUBLASLt {
    static let libraryNames = [
        "libcublasLt.so", "libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11",
        "/usr/local/cuda/lib64/libcublasLt.so", "/usr/local/cuda/targets/x86_64-linux/lib/libcublasLt.so",
    ]

    // MARK: - C signatures (cublasLt.h)

    typealias Create = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias Destroy = @convention(c) (OpaquePointer?) -> Int32
    typealias DescCreate = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32, Int32) -> Int32
    typealias SetAttribute = @convention(c) (OpaquePointer?, Int32, UnsafeRawPointer?, Int) -> Int32
    typealias LayoutCreate =
        @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, Int32, UInt64, UInt64, Int64) -> Int32
    typealias Heuristic =
        @convention(c) (
            OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?,
            OpaquePointer?, Int32, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?
        ) -> Int32
    typealias Matmul =
        @convention(c) (
            OpaquePointer?, OpaquePointer?, UnsafeRawPointer?, UnsafeRawPointer?, OpaquePointer?, UnsafeRawPointer?,
            OpaquePointer?, UnsafeRawPointer?, UnsafeRawPointer?, OpaquePointer?, UnsafeMutableRawPointer?,
            OpaquePointer?, UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, OpaquePointer?
        ) -> Int32

    // cublasLtMatmulDescAttributes_t, cublasLtMatmulPreferenceAttributes_t, cublasOperation_t.
    static let descTransA: Int32 = 3
    static let descTransB: Int32 = 4
    static let descAScalePointer: Int32 = 17
    static let descBScalePointer: Int32 = 18
    static let preferenceMaxWorkspaceBytes: Int32 = 1
    static let operationN: Int32 = 0
    static let operationT: Int32 = 1
    /// cublasLtMatmulHeuristicResult_t: cublasLtMatmulAlgo_t (8 × uint64) at 0, workspaceSize (size_t) at 64,
    /// state (cublasStatus_t) at 72, wavesCount at 76, int reserved[4]: 96 bytes. A larger buffer is passed.
    static let heuristicStateOffset = 72
    static let heuristicWorkspaceOffset = 64
    /// Workspace offered to cuBLASLt (32 MiB, what cuBLAS recommends for Hopper and later).
    static let workspaceBytes = 32 << 20

    let library: SharedLibrary
    let destroy: Destroy
    let descCreate: DescCreate
    let descDestroy: Destroy
    let descSetAttribute: SetAttribute
    let layoutCreate: LayoutCreate
    let layoutDestroy: Destroy
    let preferenceCreate: Create
    let preferenceDestroy: Destroy
    let preferenceSetAttribute: SetAttribute
    let heuristic: Heuristic
    let matmul: Matmul
    let handle: OpaquePointer

    init(names: [String] = libraryNames) throws(MeasureError) {
        let library = try SharedLibrary(names: names, what: "cuBLASLt")
        self.library = library
        let create = try library.symbol("cublasLtCreate", as: Create.self)
        destroy = try library.symbol("cublasLtDestroy", as: Destroy.self)
        descCreate = try library.symbol("cublasLtMatmulDescCreate", as: DescCreate.self)
        descDestroy = try library.symbol("cublasLtMatmulDescDestroy", as: Destroy.self)
        descSetAttribute = try library.symbol("cublasLtMatmulDescSetAttribute", as: SetAttribute.self)
        layoutCreate = try library.symbol("cublasLtMatrixLayoutCreate", as: LayoutCreate.self)
        layoutDestroy = try library.symbol("cublasLtMatrixLayoutDestroy", as: Destroy.self)
        preferenceCreate = try library.symbol("cublasLtMatmulPreferenceCreate", as: Create.self)
        preferenceDestroy = try library.symbol("cublasLtMatmulPreferenceDestroy", as: Destroy.self)
        preferenceSetAttribute = try library.symbol("cublasLtMatmulPreferenceSetAttribute", as: SetAttribute.self)
        heuristic = try library.symbol("cublasLtMatmulAlgoGetHeuristic", as: Heuristic.self)
        matmul = try library.symbol("cublasLtMatmul", as: Matmul.self)
        var handle: OpaquePointer?
        try Self.check(create(&handle), "cublasLtCreate")
        guard let handle else { throw .invalid("cublasLtCreate returned no handle") }
        self.handle = handle
    }

    deinit { _ = destroy(handle) }

    static func check(_ status: Int32, _ call: String) throws(MeasureError) {
        guard status != 0 else { return }
        throw .invalid(CUDAStatus.message(call: call, code: status, in: .cublas))
    }

    /// A planned D = Aᵀ·B for one type and size, ready to run repeatedly on the default stream.
    final class Plan {
        private let lt: CUBLASLt
        let type: CUDAMatmulType
        private var descriptor: OpaquePointer?
        private var layouts: [OpaquePointer?] = [nil, nil, nil]
        private let algorithm: UnsafeMutableRawPointer
        private(set) var workspaceBytes = 0

        /// A is stored k×m, B k×n, C and D m×n, all column-major; `scales` points to a device fp32 1.0 for FP8.
        init(
            _ lt: CUBLASLt,
            type: CUDAMatmulType,
            m: Int,
            n: Int,
            k: Int,
            scale: UnsafeMutableRawPointer?
        ) throws(MeasureError) {
            self.lt = lt
            self.type = type
            algorithm = UnsafeMutableRawPointer.allocate(byteCount: 1024, alignment: 16)
            algorithm.initializeMemory(as: UInt8.self, repeating: 0, count: 1024)
            try CUBLASLt.check(lt.descCreate(&descriptor, type.computeType, type.scaleType), "cublasLtMatmulDescCreate")
            var transA = CUBLASLt.operationT
            var transB = CUBLASLt.operationN
            try setDescriptor(CUBLASLt.descTransA, &transA, MemoryLayout<Int32>.size, "TRANSA")
            try setDescriptor(CUBLASLt.descTransB, &transB, MemoryLayout<Int32>.size, "TRANSB")
            if type.needsScales {
                guard let scale else { throw .invalid("FP8 GEMM needs a device scale factor") }
                var pointer = UInt(bitPattern: scale)
                try setDescriptor(CUBLASLt.descAScalePointer, &pointer, MemoryLayout<UInt>.size, "A_SCALE_POINTER")
                try setDescriptor(CUBLASLt.descBScalePointer, &pointer, MemoryLayout<UInt>.size, "B_SCALE_POINTER")
            }
            let shapes: [(CUDAElementFormat, Int, Int)] = [(type.input, k, m), (type.input, k, n), (type.output, m, n)]
            for (index, shape) in shapes.enumerated() {
                try CUBLASLt.check(
                    lt.layoutCreate(
                        &layouts[index],
                        shape.0.dataType,
                        UInt64(shape.1),
                        UInt64(shape.2),
                        Int64(shape.1)
                    ),
                    "cublasLtMatrixLayoutCreate"
                )
            }
            var preference: OpaquePointer?
            try CUBLASLt.check(lt.preferenceCreate(&preference), "cublasLtMatmulPreferenceCreate")
            defer { _ = lt.preferenceDestroy(preference) }
            var workspace = UInt64(CUBLASLt.workspaceBytes)
            try CUBLASLt.check(
                lt.preferenceSetAttribute(preference, CUBLASLt.preferenceMaxWorkspaceBytes, &workspace, 8),
                "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)"
            )
            var found: Int32 = 0
            try CUBLASLt.check(
                lt.heuristic(
                    lt.handle,
                    descriptor,
                    layouts[0],
                    layouts[1],
                    layouts[2],
                    layouts[2],
                    preference,
                    1,
                    algorithm,
                    &found
                ),
                "cublasLtMatmulAlgoGetHeuristic(\(type.precision.rawValue))"
            )
            let state = algorithm.load(fromByteOffset: CUBLASLt.heuristicStateOffset, as: Int32.self)
            guard found > 0, state == 0 else {
                throw .invalid(
                    "cuBLASLt has no algorithm for \(type.precision.rawValue) GEMM \(m)×\(n)×\(k) on this device "
                        + "(heuristic returned \(found), state \(state))"
                )
            }
            workspaceBytes = Int(algorithm.load(fromByteOffset: CUBLASLt.heuristicWorkspaceOffset, as: UInt64.self))
        }

        deinit {
            for layout in layouts where layout != nil { _ = lt.layoutDestroy(layout) }
            if descriptor != nil { _ = lt.descDestroy(descriptor) }
            algorithm.deallocate()
        }

        private func setDescriptor(
            _ attribute: Int32,
            _ value: UnsafeRawPointer,
            _ size: Int,
            _ name: String
        ) throws(MeasureError) {
            try CUBLASLt.check(
                lt.descSetAttribute(descriptor, attribute, value, size),
                "cublasLtMatmulDescSetAttribute(\(name))"
            )
        }

        /// Enqueues D = 1·Aᵀ·B + 0·C (C and D the same buffer) on the default stream.
        func run(
            a: UnsafeRawPointer,
            b: UnsafeRawPointer,
            d: UnsafeMutableRawPointer,
            workspace: UnsafeMutableRawPointer?
        ) throws(MeasureError) {
            var status: Int32
            if type.input == .int8 {
                var alpha: Int32 = 1
                var beta: Int32 = 0
                status = call(&alpha, &beta, a, b, d, workspace)
            } else {
                var alpha: Float = 1
                var beta: Float = 0
                status = call(&alpha, &beta, a, b, d, workspace)
            }
            try CUBLASLt.check(status, "cublasLtMatmul(\(type.precision.rawValue))")
        }

        private func call(
            _ alpha: UnsafeRawPointer,
            _ beta: UnsafeRawPointer,
            _ a: UnsafeRawPointer,
            _ b: UnsafeRawPointer,
            _ d: UnsafeMutableRawPointer,
            _ workspace: UnsafeMutableRawPointer?
        ) -> Int32 {
            lt.matmul(
                lt.handle,
                descriptor,
                alpha,
                a,
                layouts[0],
                b,
                layouts[1],
                beta,
                d,
                layouts[2],
                d,
                layouts[2],
                algorithm,
                workspace,
                workspace == nil ? 0 : CUBLASLt.workspaceBytes,
                nil
            )
        }
    }
}
