import Catalogue
import Foundation
import Testing

@testable import Measure

@Suite struct CollectiveTests {
    @Test func busBandwidthFollowsNCCLTests() {
        // nccl-tests: all-reduce moves 2(n−1)/n of the data per rank; gather/scatter/all-to-all (n−1)/n.
        #expect(Collective.allReduce.busFactor(ranks: 8) == 1.75)
        #expect(Collective.allGather.busFactor(ranks: 8) == 0.875)
        #expect(Collective.reduceScatter.busFactor(ranks: 2) == 0.5)
        #expect(Collective.allToAll.busFactor(ranks: 4) == 0.75)
        #expect(Collective.broadcast.busFactor(ranks: 8) == 1)
        #expect(Collective.allReduce.busFactor(ranks: 1) == 0)
        // 1 GB all-reduce over 8 ranks in 10 ms: algbw 100 GB/s, busbw 175 GB/s.
        #expect(abs(Collective.allReduce.busBandwidth(bytes: 1e9, seconds: 0.01, ranks: 8) - 175e9) < 1)
    }
}

@Suite struct ProbeProtocolTests {
    @Test func parsesMeasurementsAndReportsBadLines() {
        let good = """
            {"schema":"parity.measurement/1","id":"p1","chip":"ascend-910b","benchmark":"gemm","precision":"bf16",\
            "unit":"FLOP/s","samples":[2.1e14,2.2e14],"warmups":2,"sizes":{"m":8192},"backend":"probe:torch_npu",\
            "time":"2026-11-29T10:00:00Z","check":"passed"}
            """
        let output = [
            "loading torch_npu...",
            good,
            "{\"schema\":\"parity.measurement/1\",\"id\":\"p2\"}",
            "{not json",
            "{\"schema\":\"parity.measurement/7\",\"id\":\"p3\"}",
            "",
            good.replacingOccurrences(of: "\"p1\"", with: "\"p4\""),
        ].joined(separator: "\n")
        let parsed = ProbeProtocol.parse(output)
        #expect(parsed.results.map(\.id) == ["p1", "p4"])
        #expect(parsed.skipped == 1)
        #expect(parsed.rejected.count == 3)
        #expect(parsed.rejected[0].hasPrefix("line 3: missing field"))
        #expect(parsed.rejected[1].hasPrefix("line 4:"))
        #expect(parsed.rejected[2].contains("parity.measurement/7"))
    }

    @Test func runsACommand() throws {
        let parsed = try ProbeProtocol.run(command: "printf 'hello\\n{\"broken\"\\n'; exit 3")
        #expect(parsed.results.isEmpty)
        #expect(parsed.skipped == 1)
        #expect(parsed.rejected.contains("the probe exited with status 3"))
    }
}

@Suite struct CPUBackendTests {
    @Test func streamArraysAreSizedBeyondTheCache() {
        #expect(CPUBackend.streamElements(suite: .quick, cacheBytes: 32 << 20) == 4 * (32 << 20) / 8)
        #expect(CPUBackend.streamElements(suite: .full, cacheBytes: 32 << 20) == 8 * (32 << 20) / 8)
        #expect(CPUBackend.streamElements(suite: .quick, cacheBytes: 1024) == 1 << 20)
    }

    @Test func streamKernelsAreCorrectAndTimed() throws {
        let results = CPUBackend(threads: 2).stream(suite: .quick, chip: "host-cpu", elements: 1 << 18, repetitions: 3)
        #expect(results.map(\.benchmark) == [.streamCopy, .streamScale, .streamAdd, .streamTriad, .streamDot])
        for result in results {
            #expect(result.check == .passed, "\(result.benchmark)")
            #expect(result.samples.count == 3)
            #expect(result.samples.allSatisfy { $0 > 1e8 })
            #expect(result.unit == "B/s" && result.warmups == 1)
        }
        // The result round-trips through the results-file format.
        #expect(try ResultFile.decode(ResultFile.encode(results), path: "x").map(\.id) == results.map(\.id))
    }

    @Test(arguments: [Precision.fp64, .fp32])
    func gemmThroughBLASIsChecked(precision: Precision) throws {
        let result: BenchmarkResult
        do {
            result = try CPUBackend().gemm(precision: precision, size: 96, chip: "host-cpu", repetitions: 2)
        } catch .libraryNotFound {
            #expect(ProcessInfo.processInfo.environment["PARITY_REQUIRE_BLAS"] != "1", "OpenBLAS is required")
            return
        }
        #expect(result.check == .passed)
        #expect(result.samples.count == 2 && result.samples.allSatisfy { $0 > 1e6 })
        #expect(result.sizes == ["m": 96, "n": 96, "k": 96])
        #expect(throws: MeasureError.self) {
            try CPUBackend().gemm(precision: .bf16, size: 8, chip: "x", repetitions: 1)
        }
    }

    @Test func cudaAbsenceIsExplained() {
        guard (try? CUDARuntime.deviceCount()) == nil else { return }  // a machine with CUDA: nothing to check
        #expect {
            try CUDARuntime.deviceCount()
        } throws: { error in
            "\(error)".hasPrefix("no CUDA runtime found (looked for libcudart.so")
        }
    }
}
