import Catalogue

/// How one precision's GEMM is set up in cuBLASLt: operand, output and compute types (cublasLt.h,
/// library_types.h), the device generation it needs, and the tolerance of the sampled check.
///
/// Every precision runs as "TN" (A transposed, column-major): the one layout cuBLASLt accepts for FP8 and for
/// int8 with the regular column order, and a fast layout for the others; C = Aᵀ·B with A stored k×m.
struct CUDAMatmulType: Sendable, Equatable {
    var precision: Precision
    var input: CUDAElementFormat
    var output: CUDAElementFormat
    /// `cublasComputeType_t`.
    var computeType: Int32
    /// `cudaDataType_t` of alpha and beta.
    var scaleType: Int32
    /// FP8 needs per-tensor scale pointers for A and B (set to 1.0 here).
    var needsScales: Bool
    /// Lowest compute capability (major, minor) with tensor-core support for this type in cuBLASLt.
    var minimumCapability: (major: Int, minor: Int)
    /// `OP/s` for integer formats, `FLOP/s` otherwise.
    var unit: String { input == .int8 ? "OP/s" : "FLOP/s" }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.precision == rhs.precision && lhs.input == rhs.input && lhs.output == rhs.output
            && lhs.computeType == rhs.computeType && lhs.scaleType == rhs.scaleType
            && lhs.needsScales == rhs.needsScales && lhs.minimumCapability == rhs.minimumCapability
    }

    // cublasComputeType_t (cublas_api.h).
    static let compute32F: Int32 = 68
    static let compute32FFastTF32: Int32 = 77
    static let compute32I: Int32 = 72

    /// The set-up for `precision`, or `nil` when the CUDA backend does not measure it.
    init?(_ precision: Precision) {
        let float = CUDAElementFormat.fp32.dataType
        switch precision {
        case .fp32:
            self.init(precision, .fp32, .fp32, Self.compute32F, float, false, (5, 0))
        case .tf32:
            self.init(precision, .tf32, .fp32, Self.compute32FFastTF32, float, false, (8, 0))
        case .bf16:
            self.init(precision, .bf16, .bf16, Self.compute32F, float, false, (8, 0))
        case .fp16:
            self.init(precision, .fp16, .fp16, Self.compute32F, float, false, (7, 0))
        case .fp8:
            // E4M3 inputs, bf16 output (what torch._scaled_mm is usually asked for), fp32 accumulation.
            self.init(precision, .e4m3, .bf16, Self.compute32F, float, true, (8, 9))
        case .int8:
            self.init(precision, .int8, .int32, Self.compute32I, CUDAElementFormat.int32.dataType, false, (7, 5))
        default:
            return nil
        }
    }

    private init(
        _ precision: Precision,
        _ input: CUDAElementFormat,
        _ output: CUDAElementFormat,
        _ computeType: Int32,
        _ scaleType: Int32,
        _ needsScales: Bool,
        _ minimumCapability: (Int, Int)
    ) {
        self.precision = precision
        self.input = input
        self.output = output
        self.computeType = computeType
        self.scaleType = scaleType
        self.needsScales = needsScales
        self.minimumCapability = minimumCapability
    }

    /// The precisions a device of compute capability `major.minor` measures, in catalogue order.
    static func precisions(major: Int, minor: Int) -> [Precision] {
        Precision.allCases.compactMap { precision in
            guard let type = CUDAMatmulType(precision) else { return nil }
            return (major, minor) >= type.minimumCapability ? precision : nil
        }
    }

    /// Largest tolerated |C − reference| for one entry: the output format's rounding of the value plus fp32
    /// accumulation error bounded generously by 2⁻¹⁸ of Σ|a·b| (exact for integers). A wrong layout or
    /// transposition gives errors of the order of the entry itself, far above this.
    func tolerance(reference: Double, absoluteSum: Double) -> Double {
        if input == .int8 { return 0 }
        return output.unitRoundoff * 2 * abs(reference) + 0x1p-18 * absoluteSum
    }
}
