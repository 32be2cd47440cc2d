import ArgumentParser
import Catalogue
import Foundation
import Measure

extension BenchCommand {
    struct Micro: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "micro",
            abstract: "Accelerator micro-benchmarks: matrix throughput and memory bandwidth, recorded with how.",
            discussion: """
                Backends: cpu (STREAM copy/scale/add/triad/dot over all cores, arrays ≥ 4× the last-level cache; \
                fp64/fp32 GEMM through the system BLAS, OpenBLAS from Debian, loaded at run time); \
                probe:COMMAND (runs COMMAND, which prints one parity.measurement/1 JSON object per line — see \
                probes/); cuda (the CUDA runtime, cuBLASLt, NVRTC and NCCL loaded at run time: GEMM in fp32, \
                tf32, bf16, fp16, fp8 and int8 where the device supports them, quick 4096³, full 8192³; STREAM \
                kernels and pinned/device copies, L2 flushed between repetitions; NCCL collectives when more than \
                one GPU is visible; see docs/micro-benchmarks.md). Results: median of the timed repetitions after \
                warm-ups, in FLOP/s, OP/s or B/s, with a correctness check on a sample.
                """
        )

        @OptionGroup var catalogue: CatalogueOptions

        @Option(help: "Backend: cpu, cuda, or probe:COMMAND.")
        var backend: String = "cpu"

        @Option(help: "quick (smaller problems, fewer repetitions) or full.")
        var suite: SuiteArgument = .quick

        @Option(help: "Catalogue id of the measured device, recorded in the results (default: host-cpu, cuda-device).")
        var chip: String?

        @Option(help: "Append the results to this file (JSON lines, parity.measurement/1).")
        var out: String?

        @Flag(help: "Print the results as JSON lines instead of a table.")
        var json = false

        func run() throws {
            let results: [BenchmarkResult]
            let quiet = json || isatty(STDERR_FILENO) != 1
            let progress: @Sendable (String) -> Void = { line in
                if !quiet || line.hasPrefix("warning:") {
                    Terminal.note(line.hasPrefix("warning:") ? line : "… \(line)")
                }
            }
            do {
                if backend == "cpu" {
                    results = try CPUBackend().run(suite.value, chip: chip ?? "host-cpu", progress: progress)
                } else if backend == "cuda" {
                    results = try CUDABackend().run(suite.value, chip: chip ?? "cuda-device", progress: progress)
                } else if backend.hasPrefix("probe:") {
                    let parsed = try ProbeProtocol.run(command: String(backend.dropFirst("probe:".count)))
                    for rejected in parsed.rejected { Terminal.note("probe: \(rejected)") }
                    guard !parsed.results.isEmpty else {
                        throw MeasureError.probeFailed("the probe printed no measurement")
                    }
                    results = parsed.results
                } else {
                    throw ValidationError("--backend takes cpu, cuda or probe:COMMAND")
                }
            } catch let error as ValidationError {
                throw error
            } catch {
                throw fail(error)
            }
            if let out {
                let handle =
                    FileHandle(forWritingAtPath: out)
                    ?? {
                        _ = FileManager.default.createFile(atPath: out, contents: nil)
                        return FileHandle(forWritingAtPath: out)
                    }()
                handle?.seekToEndOfFile()
                handle?.write(ResultFile.encode(results))
                try? handle?.close()
            }
            if json {
                print(String(decoding: ResultFile.encode(results), as: UTF8.self), terminator: "")
                return
            }
            let chips = try? catalogue.loadChips()
            var table = TextTable(
                headers: ["BENCHMARK", "PRECISION", "SIZE", "MEDIAN", "MIN", "MAX", "OF PEAK", "CHECK"],
                rightAligned: [3, 4, 5, 6]
            )
            for result in results {
                let format: (Double) -> String = { value in
                    if result.unit == "B/s" { return "\(Quantity.trimmed(value / 1e9, digits: 1)) GB/s" }
                    return value >= 1e12
                        ? Quantity.format(value, as: .throughput)
                        : "\(Quantity.trimmed(value / 1e9, digits: 1)) GFLOP/s"
                }
                var peak = "—"
                if let chip = try? chips?.chip(result.chip) {
                    let reference =
                        result.benchmark == .gemm
                        ? result.precision.flatMap { chip.densePeak[$0]?.value }
                        : chip.memory.bandwidthBytesPerSecond.value
                    if let reference, reference > 0 { peak = "\(Int((result.median / reference * 100).rounded())) %" }
                }
                let size = result.sizes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                    separator: " "
                )
                table.append([
                    result.benchmark.rawValue, result.precision?.rawValue ?? "", size, format(result.median),
                    format(result.samples.min() ?? 0), format(result.samples.max() ?? 0), peak, result.check.rawValue,
                ])
            }
            print(table.render())
            if let device = results.first?.device { print("\ndevice: \(device.name); backend \(results[0].backend)") }
        }
    }
}

enum SuiteArgument: String, ExpressibleByArgument, CaseIterable {
    case quick, full
    var value: Suite { self == .quick ? .quick : .full }
}
