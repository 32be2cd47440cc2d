/// The device-memory bandwidth kernels (STREAM's copy, scale, add and triad on fp64 arrays, and a copy through
/// 16-byte `double2` loads and stores), compiled at run time with NVRTC. Bytes counted as STREAM does: every
/// array element read or written once, so copy and scale move 16 bytes per element, add and triad 24.
enum CUDAStreamKernel: String, Sendable, CaseIterable {
    case copy, scale, add, triad
    case vectorCopy = "vector-copy"

    /// STREAM's scalar.
    static let scalar = 3.0

    var functionName: String {
        switch self {
        case .copy: "parity_stream_copy"
        case .scale: "parity_stream_scale"
        case .add: "parity_stream_add"
        case .triad: "parity_stream_triad"
        case .vectorCopy: "parity_stream_copy_vec"
        }
    }

    var benchmark: BenchmarkResult.Benchmark {
        switch self {
        case .copy, .vectorCopy: .streamCopy
        case .scale: .streamScale
        case .add: .streamAdd
        case .triad: .streamTriad
        }
    }

    /// Bytes moved per fp64 element of each array.
    var bytesPerElement: Int {
        switch self {
        case .copy, .scale, .vectorCopy: 16
        case .add, .triad: 24
        }
    }

    /// Elements each thread handles per step (the vector copy moves a `double2`).
    var elementsPerThread: Int { self == .vectorCopy ? 2 : 1 }

    static let fillFunctionName = "parity_fill"

    /// One CUDA C++ translation unit with every kernel, `extern "C"` so that the names are not mangled. Each
    /// kernel loops with a grid stride; indices are 64-bit so that arrays beyond 2³¹ elements work.
    static func source() -> String {
        let loop = """
            for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x; i < n;
                     i += (unsigned long long)gridDim.x * blockDim.x)
            """
        func kernel(_ name: String, _ parameters: String, _ body: String) -> String {
            "extern \"C\" __global__ void \(name)(\(parameters), unsigned long long n) {\n    \(loop) \(body)\n}\n"
        }
        return [
            "// Parity STREAM kernels (generated; compiled with NVRTC at run time).\n",
            kernel(fillFunctionName, "double* __restrict__ x, double value", "x[i] = value;"),
            kernel(
                CUDAStreamKernel.copy.functionName,
                "const double* __restrict__ a, double* __restrict__ c",
                "c[i] = a[i];"
            ),
            kernel(
                CUDAStreamKernel.scale.functionName,
                "double* __restrict__ b, const double* __restrict__ c, double s",
                "b[i] = s * c[i];"
            ),
            kernel(
                CUDAStreamKernel.add.functionName,
                "const double* __restrict__ a, const double* __restrict__ b, double* __restrict__ c",
                "c[i] = a[i] + b[i];"
            ),
            kernel(
                CUDAStreamKernel.triad.functionName,
                "double* __restrict__ a, const double* __restrict__ b, const double* __restrict__ c, double s",
                "a[i] = b[i] + s * c[i];"
            ),
            kernel(
                CUDAStreamKernel.vectorCopy.functionName,
                "const double2* __restrict__ a, double2* __restrict__ c",
                "c[i] = a[i];"
            ),
        ].joined(separator: "\n")
    }

    /// NVRTC options (`--gpu-architecture`; NVRTC 12.9 and 13.5 refuse `--gpu-arch` with
    /// NVRTC_ERROR_INVALID_OPTION): a real architecture first (a cubin needs no PTX JIT in the driver, so a newer NVRTC than
    /// the driver still works), then the virtual one (PTX). `--fmad=false` keeps triad's rounding equal to the
    /// host's, so that the check can be tight.
    static func compileOptions(major: Int, minor: Int) -> [(options: [String], cubin: Bool)] {
        [
            (["--gpu-architecture=sm_\(major)\(minor)", "--fmad=false", "--std=c++14"], true),
            (["--gpu-architecture=compute_\(major)\(minor)", "--fmad=false", "--std=c++14"], false),
        ]
    }

    /// The values of a, b and c after `iterations` rounds of copy, scale, add, triad and the vector copy
    /// (c = a), starting from STREAM's a = 1, b = 2, c = 0.
    static func expectedValues(iterations: Int) -> (a: Double, b: Double, c: Double) {
        var (a, b, c) = (1.0, 2.0, 0.0)
        for _ in 0..<iterations {
            c = a
            b = scalar * c
            c = a + b
            a = b + scalar * c
            c = a
        }
        return (a, b, c)
    }
}
