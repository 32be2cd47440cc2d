import Catalogue
import Foundation
import Testing

@testable import Measure

/// probes/torch_probe.py's record format, read by the Swift parser: the probe's own formatting functions are
/// called (through python3) with test values; no measurement is involved or pretended.
@Suite struct TorchProbeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func recordsParseAsMeasurements() throws {
        let script = """
            import datetime, sys
            sys.path.insert(0, sys.argv[1])
            import torch_probe as p
            t = datetime.datetime(2026, 11, 29, 10, 0, 0, tzinfo=datetime.timezone.utc)
            d = {"name": "Test Device", "memoryBytes": 1.0e9, "driver": "test"}
            print("torch_probe: a log line")
            print(p.format_record(p.record("h200-sxm", "gemm", "bf16", "FLOP/s", p.rates(1.1e12, [0.002, 0.0025]),
                10, {"m": 8192, "n": 8192, "k": 8192}, "probe:torch-cuda", d, "host", t, "passed")))
            print(p.format_record(p.record("h200-sxm", "d2d", None, "B/s", [p.copy_bytes_moved("d2d", 1 << 30) / 0.5],
                5, {"bytes": 1 << 30}, "probe:torch-cuda", d, "host", t, "skipped")))
            """
        let command = "python3 - \(Self.root.appendingPathComponent("probes").path) <<'PY'\n\(script)\nPY"
        let parsed = try ProbeProtocol.run(command: command)
        #expect(parsed.rejected.isEmpty, "\(parsed.rejected)")
        #expect(parsed.skipped == 1)
        try #require(parsed.results.count == 2)
        let gemm = parsed.results[0]
        #expect(gemm.benchmark == .gemm && gemm.precision == .bf16 && gemm.unit == "FLOP/s")
        // 1.1e12 operations in 2 ms and 2.5 ms.
        #expect(gemm.samples == [5.5e14, 4.4e14])
        #expect(gemm.sizes == ["m": 8192, "n": 8192, "k": 8192] && gemm.warmups == 10)
        #expect(gemm.backend == "probe:torch-cuda" && gemm.check == .passed)
        #expect(gemm.device?.name == "Test Device" && gemm.device?.memoryBytes == 1e9)
        #expect(gemm.time == Date(timeIntervalSince1970: 1_795_946_400))
        let copy = parsed.results[1]
        // Read + write: 2 GiB in 0.5 s.
        #expect(copy.benchmark == .deviceToDevice && copy.precision == nil && copy.samples == [4_294_967_296])
        #expect(copy.check == .skipped)
    }
}
