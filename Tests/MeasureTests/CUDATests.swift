import Catalogue
import Foundation
import Testing

@testable import Measure

/// The CUDA backend's pure logic: everything that decides what runs, how it is counted and checked, without a GPU.
@Suite struct CUDAElementFormatTests {
    @Test func encodesKnownBitPatterns() {
        // IEEE/bfloat16/OCP E4M3 encodings of small values, by hand.
        #expect(CUDAElementFormat.fp32.encode(1) == 0x3F80_0000)
        #expect(CUDAElementFormat.bf16.encode(1) == 0x3F80)
        #expect(CUDAElementFormat.bf16.encode(-2) == 0xC000)
        #expect(CUDAElementFormat.fp16.encode(1) == 0x3C00)
        #expect(CUDAElementFormat.fp16.encode(-2) == 0xC000)
        #expect(CUDAElementFormat.e4m3.encode(1) == 0x38)  // exponent 7 (bias 7), mantissa 0
        #expect(CUDAElementFormat.e4m3.encode(-2) == 0xC0)
        #expect(CUDAElementFormat.e4m3.encode(0.5) == 0x30)
        #expect(CUDAElementFormat.e4m3.encode(1.125) == 0x39)
        #expect(CUDAElementFormat.e4m3.encode(448) == 0x7E)  // largest finite
        #expect(CUDAElementFormat.e4m3.encode(1000) == 0x7E)  // saturates
        #expect(CUDAElementFormat.e4m3.encode(0x1p-9) == 0x01)  // smallest subnormal
        #expect(CUDAElementFormat.int8.encode(3.4) == 3)
        #expect(CUDAElementFormat.int8.encode(-200) == 0x80)
    }

    @Test func roundsToNearestEven() {
        // 1 + 2⁻⁸ lies halfway between bf16 neighbours 1 and 1 + 2⁻⁷: ties go to the even mantissa (1).
        #expect(CUDAElementFormat.bf16.encode(1 + 0x1p-8) == 0x3F80)
        // 1 + 3·2⁻⁸ lies halfway between 1 + 2⁻⁷ (odd) and 1 + 2⁻⁶ (even).
        #expect(CUDAElementFormat.bf16.encode(1 + 3 * 0x1p-8) == 0x3F82)
        // E4M3: 1.0625 between 1 (even) and 1.125; 1.1875 between 1.125 and 1.25 (even).
        #expect(CUDAElementFormat.e4m3.encode(1.0625) == 0x38)
        #expect(CUDAElementFormat.e4m3.encode(1.1875) == 0x3A)
        // TF32 keeps 10 mantissa bits: 1 + 2⁻¹¹ rounds to 1.
        #expect(CUDAElementFormat.tf32.decode(CUDAElementFormat.tf32.encode(1 + 0x1p-11)) == 1)
    }

    @Test(arguments: CUDAElementFormat.allCases)
    func decodeInvertsEncodeOnRepresentableValues(format: CUDAElementFormat) {
        let values: [Double] =
            format == .int8 || format == .int32 ? [0, 1, -1, 2, -2, 3, -7] : [0, 1, -1, 2, -2, 0.5, 3, -7]
        for value in values {
            #expect(format.decode(format.encode(value)) == value, "\(format) \(value)")
        }
    }
}

@Suite struct CUDAMatmulTypeTests {
    @Test func precisionsFollowComputeCapability() {
        #expect(CUDAMatmulType.precisions(major: 9, minor: 0) == [.fp32, .tf32, .bf16, .fp16, .fp8, .int8])
        #expect(CUDAMatmulType.precisions(major: 8, minor: 9) == [.fp32, .tf32, .bf16, .fp16, .fp8, .int8])
        #expect(CUDAMatmulType.precisions(major: 8, minor: 0) == [.fp32, .tf32, .bf16, .fp16, .int8])
        #expect(CUDAMatmulType.precisions(major: 7, minor: 5) == [.fp32, .fp16, .int8])
        #expect(CUDAMatmulType.precisions(major: 7, minor: 0) == [.fp32, .fp16])
        #expect(CUDAMatmulType.precisions(major: 10, minor: 0).contains(.fp8))
    }

    @Test func typesUseTheHeaderValues() throws {
        // library_types.h: CUDA_R_32F 0, CUDA_R_16F 2, CUDA_R_8I 3, CUDA_R_32I 10, CUDA_R_16BF 14,
        // CUDA_R_8F_E4M3 28; cublas_api.h: CUBLAS_COMPUTE_32F 68, _32F_FAST_TF32 77, _32I 72.
        let bf16 = try #require(CUDAMatmulType(.bf16))
        #expect(bf16.input.dataType == 14 && bf16.output.dataType == 14 && bf16.computeType == 68)
        #expect(bf16.scaleType == 0 && !bf16.needsScales && bf16.unit == "FLOP/s")
        let tf32 = try #require(CUDAMatmulType(.tf32))
        #expect(tf32.input.dataType == 0 && tf32.computeType == 77)
        let fp8 = try #require(CUDAMatmulType(.fp8))
        #expect(fp8.input.dataType == 28 && fp8.output.dataType == 14 && fp8.needsScales)
        let int8 = try #require(CUDAMatmulType(.int8))
        #expect(int8.input.dataType == 3 && int8.output.dataType == 10 && int8.computeType == 72)
        #expect(int8.scaleType == 10 && int8.unit == "OP/s")
        #expect(CUDAMatmulType(.fp16)?.input.dataType == 2)
        #expect(CUDAMatmulType(.fp64) == nil)
        #expect(CUDAMatmulType(.fp4) == nil)
    }

    @Test func toleranceScalesWithTheOutputFormat() throws {
        // bf16 output: 2 · 2⁻⁸ · 100 = 0.78125; plus 2⁻¹⁸ · 2¹⁸ = 1 for the accumulation term.
        let bf16 = try #require(CUDAMatmulType(.bf16))
        #expect(bf16.tolerance(reference: 100, absoluteSum: 0) == 0.781_25)
        #expect(bf16.tolerance(reference: 0, absoluteSum: 262_144) == 1)
        #expect(try #require(CUDAMatmulType(.int8)).tolerance(reference: 100, absoluteSum: 1e6) == 0)
    }
}

@Suite struct CUDAMatmulOperandsTests {
    @Test func operandsAreBoundedAndReproducible() {
        for index in 0..<1000 {
            let value = CUDAMatmulOperands.raw(matrix: 0, index: index, format: .bf16)
            #expect(value >= -1 && value < 1)
            let integer = CUDAMatmulOperands.raw(matrix: 1, index: index, format: .int8)
            #expect(integer >= -8 && integer <= 7 && integer == integer.rounded())
        }
        #expect(
            CUDAMatmulOperands.raw(matrix: 0, index: 5, format: .fp32)
                != CUDAMatmulOperands.raw(matrix: 1, index: 5, format: .fp32)
        )
        #expect(CUDAMatmulOperands.operations(m: 2, n: 3, k: 4) == 48)
        #expect(CUDAMatmulOperands.operations(m: 8192, n: 8192, k: 8192) == 2 * 549_755_813_888)
    }

    @Test(arguments: [CUDAElementFormat.bf16, .e4m3, .int8])
    func referenceIsTheTNProductOfTheFilledBuffers(format: CUDAElementFormat) {
        // A stored k×m and B stored k×n, column-major; C(i, j) = Σₗ A[l + i·k] · B[l + j·k].
        let (m, n, k) = (3, 2, 5)
        let a = UnsafeMutableRawPointer.allocate(byteCount: k * m * 4, alignment: 8)
        let b = UnsafeMutableRawPointer.allocate(byteCount: k * n * 4, alignment: 8)
        defer {
            a.deallocate()
            b.deallocate()
        }
        CUDAMatmulOperands.fill(a, matrix: 0, count: k * m, format: format)
        CUDAMatmulOperands.fill(b, matrix: 1, count: k * n, format: format)
        func load(_ buffer: UnsafeMutableRawPointer, _ index: Int) -> Double {
            let bits: UInt32 =
                switch format.bytes {
                case 2: UInt32(buffer.load(fromByteOffset: index * 2, as: UInt16.self))
                case 1: UInt32(buffer.load(fromByteOffset: index, as: UInt8.self))
                default: buffer.load(fromByteOffset: index * 4, as: UInt32.self)
                }
            return format.decode(bits)
        }
        for i in 0..<m {
            for j in 0..<n {
                var expected = 0.0
                for l in 0..<k { expected += load(a, l + i * k) * load(b, l + j * k) }
                let reference = CUDAMatmulOperands.reference(row: i, column: j, k: k, format: format)
                #expect(abs(reference.value - expected) < 1e-12)
                #expect(reference.absoluteSum >= abs(reference.value))
            }
        }
    }
}

@Suite struct CUDAPlanTests {
    @Test func sizesFollowTheSuite() {
        // An H200: 50 MiB L2, 141 GB memory.
        let full = CUDASuitePlan(suite: .full, l2Bytes: 50 << 20, memoryBytes: 150_000_000_000)
        #expect(full.gemmSize == 8192)
        #expect(full.streamElements == (1 << 30) / 8)
        #expect(full.copyBytes == 1 << 30)
        #expect(full.flushBytes == 100 << 20)
        #expect(full.gemmRepetitions == 30 && full.gemmWarmups == 10)
        let quick = CUDASuitePlan(suite: .quick, l2Bytes: 50 << 20, memoryBytes: 150_000_000_000)
        #expect(quick.gemmSize == 4096)
        #expect(quick.streamElements == (256 << 20) / 8)
        #expect(quick.copyBytes == 256 << 20)
        // A 1 GiB device: arrays capped at an eighth of memory (128 MiB).
        let small = CUDASuitePlan(suite: .full, l2Bytes: 4 << 20, memoryBytes: 1 << 30)
        #expect(small.streamElements == (128 << 20) / 8)
        #expect(small.copyBytes == 128 << 20)
        #expect(small.flushBytes == 64 << 20)
    }

    @Test func launchShapeCoversEveryElement() {
        #expect(CUDASuitePlan.launchShape(elements: 1000) == (4, 256))
        #expect(CUDASuitePlan.launchShape(elements: 1024) == (4, 256))
        #expect(CUDASuitePlan.launchShape(elements: 0) == (1, 256))
        #expect(CUDASuitePlan.launchShape(elements: 1 << 40).blocks == Int(Int32.max))
    }
}

@Suite struct CUDAStreamKernelTests {
    @Test func sourceHasEveryKernelUnmangled() {
        let source = CUDAStreamKernel.source()
        for kernel in CUDAStreamKernel.allCases {
            #expect(source.contains("extern \"C\" __global__ void \(kernel.functionName)("))
        }
        #expect(source.contains("extern \"C\" __global__ void parity_fill("))
        #expect(source.contains("a[i] = b[i] + s * c[i];"))
        #expect(source.contains("const double2* __restrict__ a, double2* __restrict__ c, unsigned long long n"))
        #expect(Set(CUDAStreamKernel.allCases.map(\.functionName)).count == CUDAStreamKernel.allCases.count)
    }

    @Test func bytesAreCountedAsSTREAMDoes() {
        // Copy and scale read one array and write one (2 × 8 bytes); add and triad read two, write one.
        #expect(CUDAStreamKernel.allCases.map(\.bytesPerElement) == [16, 16, 24, 24, 16])
        #expect(CUDAStreamKernel.vectorCopy.benchmark == .streamCopy)
        #expect(CUDAStreamKernel.triad.benchmark == .streamTriad)
    }

    @Test func expectedValuesFollowTheKernelSequence() {
        // By hand, s = 3: c = a = 1; b = 3; c = 1 + 3 = 4; a = 3 + 3·4 = 15; c = a = 15. Then ×15.
        #expect(CUDAStreamKernel.expectedValues(iterations: 1) == (15, 3, 15))
        #expect(CUDAStreamKernel.expectedValues(iterations: 2) == (225, 45, 225))
        #expect(CUDAStreamKernel.expectedValues(iterations: 0) == (1, 2, 0))
    }

    @Test func librariesOfTheRuntimesCUDAReleaseComeFirst() {
        let names = ["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12"]
        #expect(
            CUDARuntime.ordered(names, stem: "libnvrtc", runtimeVersion: 12090)
                == ["libnvrtc.so.12", "libnvrtc.so", "libnvrtc.so.13"]
        )
        #expect(CUDARuntime.ordered(names, stem: "libnvrtc", runtimeVersion: 13000).first == "libnvrtc.so.13")
        #expect(CUDARuntime.ordered(names, stem: "libnvrtc", runtimeVersion: nil) == names)
    }

    @Test func compilesForTheRealArchitectureFirst() {
        let options = CUDAStreamKernel.compileOptions(major: 9, minor: 0)
        #expect(options.map(\.cubin) == [true, false])
        #expect(options[0].options.first == "--gpu-architecture=sm_90")
        #expect(options[1].options.first == "--gpu-architecture=compute_90")
    }
}

@Suite struct CUDABackendTests {
    @Test func statusCodesAreNamed() {
        #expect(
            CUDAStatus.message(call: "cublasLtMatmul", code: 15, in: .cublas)
                == "cublasLtMatmul failed: CUBLAS_STATUS_NOT_SUPPORTED (15)"
        )
        #expect(
            CUDAStatus.message(call: "cudaMalloc", code: 2, in: .runtime, detail: "out of memory")
                == "cudaMalloc failed: cudaErrorMemoryAllocation (2) — out of memory"
        )
        #expect(
            CUDAStatus.message(call: "ncclGroupEnd", code: 42, in: .nccl) == "ncclGroupEnd failed: NCCL status (42)"
        )
        #expect(CUDAStatus.name(6, in: .nvrtc) == "NVRTC_ERROR_COMPILATION")
        #expect(CUDAStatus.name(222, in: .driver) == "CUDA_ERROR_UNSUPPORTED_PTX_VERSION")
    }

    @Test func driverVersionIsReadable() {
        // cudaDriverGetVersion: 1000 · major + 10 · minor.
        #expect(CUDABackend.driverDescription(driver: 12040, runtime: 12080) == "CUDA driver 12.4, runtime 12.8")
        #expect(CUDABackend.driverDescription(driver: 13000, runtime: 11020) == "CUDA driver 13.0, runtime 11.2")
    }

    @Test func collectiveBuffersFollowNCCLTests() {
        #expect(CUDABackend.collectiveCounts(.allGather, count: 1024, ranks: 8) == (128, 1024))
        #expect(CUDABackend.collectiveCounts(.reduceScatter, count: 1024, ranks: 8) == (1024, 128))
        #expect(CUDABackend.collectiveCounts(.allReduce, count: 1024, ranks: 8) == (1024, 1024))
        // Rank r sends r + 1: an all-reduce over 4 ranks sums 1 + 2 + 3 + 4; gathered element 300 of 1024
        // (segments of 256) comes from rank 1, which sent 2.
        #expect(CUDABackend.expectedCollectiveValue(.allReduce, ranks: 4, rank: 0, index: 7, count: 1024) == 10)
        #expect(CUDABackend.expectedCollectiveValue(.allGather, ranks: 4, rank: 3, index: 300, count: 1024) == 2)
        #expect(CUDABackend.expectedCollectiveValue(.allToAll, ranks: 4, rank: 0, index: 1023, count: 1024) == 4)
    }

    @Test func resultsRecordHowTheyWereMeasured() throws {
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        let result = CUDABackend.result(
            .streamCopy,
            precision: .fp64,
            unit: "B/s",
            samples: [4e12, 4.1e12],
            warmups: 5,
            sizes: ["elements": 1024],
            passed: nil,
            chip: "h200-sxm",
            backend: "cuda",
            variant: "double2",
            device: BenchmarkResult.Device(name: "NVIDIA H200", driver: "CUDA driver 12.4, runtime 12.4"),
            host: "gpu",
            time: time
        )
        #expect(result.backend == "cuda (double2)")
        #expect(result.id.hasPrefix("cuda-double2-stream-copy-fp64-"))
        #expect(result.check == .skipped)
        let parsed = ProbeProtocol.parse(String(decoding: ResultFile.encode([result]), as: UTF8.self))
        #expect(parsed.results == [result])
    }

    @Test func withoutCUDATheBackendSaysWhatItLookedFor() {
        guard (try? CUDARuntime.deviceCount()) == nil else { return }  // a machine with CUDA: nothing to check
        #expect {
            try CUDABackend().run(.quick, chip: "x") { _ in }
        } throws: { error in
            "\(error)".hasPrefix("no CUDA runtime found (looked for libcudart.so")
        }
        #expect(CUDABackend().device().name.contains("no CUDA runtime"))
    }
}
