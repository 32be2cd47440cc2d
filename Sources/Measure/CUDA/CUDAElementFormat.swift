/// How one matrix element is stored on the device, with exact host-side encoding and decoding, so that GEMM
/// operands can be generated on the host and products checked against a double-precision reference.
enum CUDAElementFormat: String, Sendable, CaseIterable {
    case fp32, tf32, bf16, fp16, e4m3, int8, int32

    /// `cudaDataType_t` from library_types.h (tf32 operands are stored as CUDA_R_32F).
    var dataType: Int32 {
        switch self {
        case .fp32, .tf32: 0  // CUDA_R_32F
        case .bf16: 14  // CUDA_R_16BF
        case .fp16: 2  // CUDA_R_16F
        case .e4m3: 28  // CUDA_R_8F_E4M3
        case .int8: 3  // CUDA_R_8I
        case .int32: 10  // CUDA_R_32I
        }
    }

    var bytes: Int {
        switch self {
        case .fp32, .tf32, .int32: 4
        case .bf16, .fp16: 2
        case .e4m3, .int8: 1
        }
    }

    /// Unit roundoff of the format (half an ulp at 1), 0 for integers.
    var unitRoundoff: Double {
        switch self {
        case .fp32: 0x1p-24
        case .tf32: 0x1p-11
        case .bf16: 0x1p-8
        case .fp16: 0x1p-11
        case .e4m3: 0x1p-4
        case .int8, .int32: 0
        }
    }

    /// The stored bits of `value` rounded to this format (nearest, ties to even), in the low `bytes` bytes.
    /// Integer formats round to the nearest integer and clamp to their range.
    func encode(_ value: Double) -> UInt32 {
        switch self {
        case .fp32:
            return Float(value).bitPattern
        case .tf32:
            return Self.roundMantissa(Float(value).bitPattern, droppingBits: 13)
        case .bf16:
            return Self.roundMantissa(Float(value).bitPattern, droppingBits: 16) >> 16
        case .fp16:
            return UInt32(Float16(Float(value)).bitPattern)
        case .e4m3:
            return UInt32(Self.encodeE4M3(value))
        case .int8:
            return UInt32(UInt8(bitPattern: Int8(max(-128, min(127, value.rounded())))))
        case .int32:
            return UInt32(bitPattern: Int32(max(-2_147_483_648, min(2_147_483_647, value.rounded()))))
        }
    }

    /// The value of stored `bits` (the inverse of `encode` on representable values).
    func decode(_ bits: UInt32) -> Double {
        switch self {
        case .fp32, .tf32:
            return Double(Float(bitPattern: bits))
        case .bf16:
            return Double(Float(bitPattern: (bits & 0xFFFF) << 16))
        case .fp16:
            return Double(Float(Float16(bitPattern: UInt16(truncatingIfNeeded: bits))))
        case .e4m3:
            return Self.decodeE4M3(UInt8(truncatingIfNeeded: bits))
        case .int8:
            return Double(Int8(bitPattern: UInt8(truncatingIfNeeded: bits)))
        case .int32:
            return Double(Int32(bitPattern: bits))
        }
    }

    /// Rounds an fp32 bit pattern to nearest-even after dropping the low `droppingBits` mantissa bits
    /// (the low bits are cleared, the result stays an fp32 pattern). Finite inputs only.
    static func roundMantissa(_ bits: UInt32, droppingBits: UInt32) -> UInt32 {
        let half = UInt32(1) << (droppingBits - 1)
        let lsb = (bits >> droppingBits) & 1
        let rounded = bits &+ (half - 1) &+ lsb
        return rounded & ~((UInt32(1) << droppingBits) - 1)
    }

    /// OCP FP8 E4M3 (bias 7, no infinities, largest finite 448): nearest, ties to even, saturating.
    static func encodeE4M3(_ value: Double) -> UInt8 {
        let sign: UInt8 = value.sign == .minus ? 0x80 : 0
        let magnitude = min(abs(value), 448)
        if magnitude == 0 || magnitude.isNaN { return sign }
        // Subnormals: multiples of 2^-9 below 2^-6.
        if magnitude < 0x1p-6 {
            let steps = (magnitude / 0x1p-9).rounded(.toNearestOrEven)
            return sign | UInt8(steps)  // 8 steps (= 2^-6) is the smallest normal's encoding, 0x08
        }
        var exponent = Int(magnitude.exponent)
        var mantissa = ((magnitude / Double(sign: .plus, exponent: exponent, significand: 1) - 1) * 8)
            .rounded(.toNearestOrEven)
        if mantissa == 8 {
            mantissa = 0
            exponent += 1
        }
        let biased = UInt8(exponent + 7)
        return sign | (biased << 3) | UInt8(mantissa)
    }

    static func decodeE4M3(_ bits: UInt8) -> Double {
        let sign: Double = bits & 0x80 != 0 ? -1 : 1
        let biased = Int((bits >> 3) & 0x0F)
        let mantissa = Double(bits & 0x07)
        if biased == 0x0F && bits & 0x07 == 0x07 { return .nan }
        if biased == 0 { return sign * mantissa * 0x1p-9 }
        return sign * (1 + mantissa / 8) * Double(sign: .plus, exponent: biased - 7, significand: 1)
    }
}
