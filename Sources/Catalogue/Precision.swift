/// A numeric format of matrix or vector arithmetic.
public enum Precision: String, Sendable, Hashable, Codable, CodingKeyRepresentable, CaseIterable, Comparable {
    case fp64, fp32, tf32, bf16, fp16, fp8, fp6, fp4, int8, int4

    /// Bit length of the operands, as used by the 3A090 TPP definition.
    ///
    /// TF32 is counted as 32 bits: BIS counts the bit length of the operation's inputs as declared by
    /// the format (tf32 inputs are stored in 32-bit words).
    public var bitLength: Int {
        switch self {
        case .fp64: 64
        case .fp32, .tf32: 32
        case .bf16, .fp16: 16
        case .fp8, .int8: 8
        case .fp6: 6
        case .fp4, .int4: 4
        }
    }

    /// Bytes one element takes in memory (fp6 and fp4 are packed).
    public var bytesPerElement: Double { Double(bitLength) / 8 }

    /// `true` for integer formats, whose throughput is quoted in TOPS rather than TFLOPS.
    public var isInteger: Bool { self == .int8 || self == .int4 }

    public static func < (lhs: Precision, rhs: Precision) -> Bool {
        let order = allCases
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}
