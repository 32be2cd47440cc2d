/// The GEMM operands, generated on the host from a counter-based hash so that any entry can be regenerated for
/// the reference without keeping the matrices: uniform values in [−1, 1) rounded to the input format (random
/// bit patterns, like `torch.randn`, so that power and clocks behave as with real data), integers in −8…7 for
/// int8.
enum CUDAMatmulOperands {
    /// Entry `index` of matrix `matrix` (0 for A, 1 for B) as a double before rounding to the format.
    static func raw(matrix: Int, index: Int, format: CUDAElementFormat) -> Double {
        var z = UInt64(truncatingIfNeeded: index) &+ (UInt64(truncatingIfNeeded: matrix) << 48) &+ 0x9E37_79B9
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        if format == .int8 { return Double(Int(z >> 60) - 8) }
        return Double(z >> 11) * 0x1p-52 - 1
    }

    /// Stored bits of the entry.
    static func bits(matrix: Int, index: Int, format: CUDAElementFormat) -> UInt32 {
        format.encode(raw(matrix: matrix, index: index, format: format))
    }

    /// The value the device sees for the entry.
    static func value(matrix: Int, index: Int, format: CUDAElementFormat) -> Double {
        format.decode(bits(matrix: matrix, index: index, format: format))
    }

    /// Writes `count` entries of `matrix` into `buffer` (little-endian, `format.bytes` each).
    static func fill(_ buffer: UnsafeMutableRawPointer, matrix: Int, count: Int, format: CUDAElementFormat) {
        switch format.bytes {
        case 4:
            let typed = buffer.assumingMemoryBound(to: UInt32.self)
            for index in 0..<count { typed[index] = bits(matrix: matrix, index: index, format: format) }
        case 2:
            let typed = buffer.assumingMemoryBound(to: UInt16.self)
            for index in 0..<count {
                typed[index] = UInt16(truncatingIfNeeded: bits(matrix: matrix, index: index, format: format))
            }
        default:
            let typed = buffer.assumingMemoryBound(to: UInt8.self)
            for index in 0..<count {
                typed[index] = UInt8(truncatingIfNeeded: bits(matrix: matrix, index: index, format: format))
            }
        }
    }

    /// Reference entry (i, j) of C = Aᵀ·B for A stored k×m and B stored k×n, column-major (the TN layout),
    /// in double precision, with Σ|a·b| for the tolerance.
    static func reference(
        row i: Int,
        column j: Int,
        k: Int,
        format: CUDAElementFormat
    ) -> (value: Double, absoluteSum: Double) {
        var sum = 0.0
        var absoluteSum = 0.0
        for l in 0..<k {
            let product =
                value(matrix: 0, index: l + i * k, format: format) * value(matrix: 1, index: l + j * k, format: format)
            sum += product
            absoluteSum += abs(product)
        }
        return (sum, absoluteSum)
    }

    /// 2·m·n·k: one multiply and one add per term (the convention of vendor peak figures).
    static func operations(m: Int, n: Int, k: Int) -> Double {
        2 * Double(m) * Double(n) * Double(k)
    }
}
