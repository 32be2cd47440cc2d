import ArgumentParser
import Catalogue
import Foundation
import Measure

/// Runs Measure's CPU or CUDA suites on this host and prints one parity.measurement/1 JSON object per line on
/// standard output; progress and warnings go to standard error. Built to be copied onto a GPU host that has no
/// Swift toolchain (scripts/build-probe).
@main
struct ParityProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity-probe",
        abstract: "Parity's measurement probe: micro-benchmarks as JSON lines (parity.measurement/1).",
        discussion: """
            Copy this binary to the measured host and run it there; feed its output to \
            `parity assess --results`. The cuda backend loads libcudart, libcublasLt, libnvrtc, libcuda and \
            libnccl at run time (set LD_LIBRARY_PATH when they are not on the loader path). \
            Exit status 0 when at least one measurement succeeded, 1 otherwise.
            """
    )

    @Option(help: "Backend: cpu or cuda.")
    var backend: String = "cuda"

    @Option(help: "quick (smaller problems, fewer repetitions) or full.")
    var suite: String = "quick"

    @Option(help: "Catalogue id of the measured device, recorded in every result.")
    var chip: String?

    @Option(help: "CUDA device index.")
    var device: Int = 0

    func validate() throws {
        guard ["cpu", "cuda"].contains(backend) else { throw ValidationError("--backend takes cpu or cuda") }
        guard Suite(rawValue: suite) != nil else { throw ValidationError("--suite takes quick or full") }
        guard device >= 0 else { throw ValidationError("--device takes a device index (0, 1, …)") }
    }

    func run() throws {
        let progress: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data("parity-probe: \(line)\n".utf8))
        }
        let chosen = Suite(rawValue: suite) ?? .quick
        let results: [BenchmarkResult]
        do {
            if backend == "cpu" {
                results = try CPUBackend().run(chosen, chip: chip ?? "host-cpu", progress: progress)
            } else {
                results = try CUDABackend(deviceIndex: device).run(
                    chosen,
                    chip: chip ?? "cuda-device",
                    progress: progress
                )
            }
        } catch {
            FileHandle.standardError.write(Data("parity-probe: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        FileHandle.standardOutput.write(ResultFile.encode(results))
    }
}
