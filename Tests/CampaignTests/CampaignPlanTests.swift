import Assessment
import Catalogue
import Foundation
import Testing
import Yams

@testable import Campaign

@Suite struct CampaignPlanTests {
    static let text = """
        schema: parity.campaign/1
        name: h20-check
        organisation: example-cloud
        country: cn
        date: 2025-09-01
        hosts:
          - {name: gpu-node, chip: h20, count: 3}
          - {name: npu-node, chip: ascend-910b}
        suites:
          - {name: micro, kind: micro, backend: cuda, suite: full, repetitions: 2}
          - {name: torch, kind: probe, command: "python3 probes/torch_probe.py --device npu"}
        results: {store: "postgres://parity@db.internal/parity", directory: /shared/parity}
        limits: {time: 20m, retries: 2}
        slurm: {partition: gpu, gres: "gpu:1", cpus-per-task: 8}
        kubernetes: {namespace: bench, image: "registry.example/parity:1", resource: nvidia.com/gpu, parallelism: 4}
        """

    @Test func decodesAndExpandsTasks() throws {
        let plan = try CampaignPlan.decode(text: Self.text, file: "plan.yaml")
        #expect(plan.country == "CN" && plan.timeLimitSeconds == 1200 && plan.retries == 2)
        #expect(plan.slurm.gres == "gpu:1" && plan.slurm.cpusPerTask == 8)
        let tasks = plan.tasks
        // 4 hosts × (2 micro repetitions + 1 probe) = 12 tasks, in a fixed order.
        #expect(tasks.count == 12)
        #expect(tasks.map(\.index) == Array(0..<12))
        #expect(tasks[0].key == "gpu-node-0.micro.r1" && tasks[1].key == "gpu-node-0.micro.r2")
        #expect(tasks[2].key == "gpu-node-0.torch.r1")
        #expect(tasks[11].key == "npu-node.torch.r1" && tasks[11].chip == "ascend-910b")
        #expect(Set(tasks.map(\.key)).count == 12)
        let testing = plan.testingPlan
        #expect(testing.kind == .campaign)
        #expect(testing.lines.map(\.chip) == ["h20", "ascend-910b"])
        #expect(testing.lines.map(\.quantity) == [3, 1])
        #expect(testing.lines.allSatisfy { $0.action == .test && $0.country == "CN" })
    }

    @Test func errorsNameTheFileLineAndField() {
        func message(_ text: String) -> String {
            do {
                _ = try CampaignPlan.decode(text: text, file: "bad.yaml")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(Self.text.replacingOccurrences(of: "kind: probe", with: "kind: bench")).contains("bad.yaml:11"))
        #expect(
            message(Self.text.replacingOccurrences(of: "kind: probe", with: "kind: bench")).contains("suites[2].kind")
        )
        #expect(message(Self.text.replacingOccurrences(of: "time: 20m", with: "time: soon")).contains("limits.time"))
        #expect(
            message(Self.text.replacingOccurrences(of: "name: h20-check", with: "name: H20 Check")).contains("'name'")
        )
        #expect(
            message(Self.text.replacingOccurrences(of: "parity.campaign/1", with: "parity.campaign/2")).contains(
                "parity.campaign/2"
            )
        )
        #expect(message(Self.text.replacingOccurrences(of: "count: 3", with: "count: 0")).contains("hosts[1].count"))
        #expect(message(Self.text + "\nextra: 1").contains("extra"))
        #expect(message(Self.text.replacingOccurrences(of: "backend: cuda, ", with: "")).contains("suites[1].backend"))
    }

    /// A newline (or quote, `$`, backtick, `;`) in a field that goes into the sbatch script would become a line or
    /// a command of it; such plans are refused, naming the field.
    @Test(arguments: [
        ("partition: gpu", #"partition: "gpu\n#SBATCH --uid=0""#, "slurm.partition"),
        (#"gres: "gpu:1""#, #"gres: "gpu:1; rm -rf /""#, "slurm.gres"),
        ("slurm: {partition: gpu", "slurm: {account: \"$(id)\", partition: gpu", "slurm.account"),
        ("directory: /shared/parity", "directory: \"/shared/`id`\"", "results.directory"),
    ])
    func schedulerFieldsAreRefusedOutsideAStrictCharacterSet(original: String, replacement: String, field: String) {
        let text = Self.text.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.text)
        #expect(throws: CatalogueError.self) { try CampaignPlan.decode(text: text, file: "plan.yaml") }
        do {
            _ = try CampaignPlan.decode(text: text, file: "plan.yaml")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.message.contains("goes into the sbatch script"))
        }
    }

    @Test func suitesRunOnTheirHostsOnlyAndServeSuitesCarryTheirDeployment() throws {
        let text = Self.text.replacingOccurrences(
            of: "  - {name: torch, kind: probe, command: \"python3 probes/torch_probe.py --device npu\"}",
            with: """
                  - {name: torch, kind: probe, command: "python3 probes/torch_probe.py --device npu", hosts: [npu-node]}
                  - {name: chat, kind: serve, base-url: "http://127.0.0.1:8000", model: llama-3.1-8b, hosts: [gpu-node],
                     chips: 8, engine: vllm, weight-precision: fp8, tp: 8}
                """
        )
        let plan = try CampaignPlan.decode(text: text, file: "plan.yaml")
        // gpu-node × 3: micro r1, r2 and chat; npu-node: micro r1, r2 and torch → 3 × 3 + 3 = 12 tasks.
        #expect(plan.tasks.count == 12)
        #expect(plan.tasks.filter { $0.suite.name == "torch" }.map(\.host) == ["npu-node"])
        #expect(
            plan.tasks.filter { $0.suite.name == "chat" }.map(\.host) == ["gpu-node-0", "gpu-node-1", "gpu-node-2"]
        )
        let arguments = try #require(plan.suites.first { $0.name == "chat" }?.serve?.arguments)
        #expect(arguments.suffix(8) == ["--chips", "8", "--engine", "vllm", "--weight-precision", "fp8", "--tp", "8"])
        #expect(throws: CatalogueError.self) {
            try CampaignPlan.decode(
                text: text.replacingOccurrences(of: "hosts: [npu-node]", with: "hosts: [tpu]"),
                file: "p"
            )
        }
    }

    @Test func serveSuitesBecomeBenchServeArguments() throws {
        let text = Self.text.replacingOccurrences(
            of: "  - {name: torch, kind: probe, command: \"python3 probes/torch_probe.py --device npu\"}",
            with: "  - {name: chat, kind: serve, base-url: \"http://10.0.0.5:8000\", model: llama, num-prompts: 64, "
                + "input-len: 512, output-len: 64, max-concurrency: 8, request-rate: \"4\"}"
        )
        let plan = try CampaignPlan.decode(text: text, file: "plan.yaml")
        let serve = try #require(plan.suites[1].serve)
        #expect(
            serve.arguments == [
                "--base-url", "http://10.0.0.5:8000", "--num-prompts", "64", "--input-len", "512", "--output-len", "64",
                "--request-rate", "4", "--model", "llama", "--max-concurrency", "8",
            ]
        )
        let missing = text.replacingOccurrences(of: "base-url: \"http://10.0.0.5:8000\", ", with: "")
        #expect(throws: CatalogueError.self) { try CampaignPlan.decode(text: missing, file: "plan.yaml") }
        let badRate = text.replacingOccurrences(of: "request-rate: \"4\"", with: "request-rate: fast")
        #expect(throws: CatalogueError.self) { try CampaignPlan.decode(text: badRate, file: "plan.yaml") }
    }

    @Test func durations() {
        #expect(CampaignPlan.seconds("90s") == 90)
        #expect(CampaignPlan.seconds("10m") == 600)
        #expect(CampaignPlan.seconds("2h") == 7200)
        #expect(CampaignPlan.seconds("45") == 45)
        #expect(CampaignPlan.seconds("0m") == nil && CampaignPlan.seconds("soon") == nil)
    }
}

@Suite struct SlurmExecutorTests {
    @Test func arraySpecsAndTimeLimits() {
        #expect(SlurmExecutor.arraySpec([0, 1, 2, 3, 4, 5, 6, 7]) == "0-7")
        #expect(SlurmExecutor.arraySpec([7, 1, 4, 2, 3]) == "1-4,7")
        #expect(SlurmExecutor.arraySpec([5]) == "5")
        #expect(SlurmExecutor.timeLimit(1200) == "00:20:00")
        #expect(SlurmExecutor.timeLimit(90_061) == "1-01:01:01")
    }

    @Test func scriptRunsOneTaskPerArrayIndexWithLimitsAndRetries() throws {
        let plan = try CampaignPlan.decode(text: CampaignPlanTests.text, file: "/plans/plan.yaml")
        let script = SlurmExecutor(executable: "/opt/parity/bin/parity").script(
            [1, 2, 5],
            plan: plan,
            planPath: "/plans/plan.yaml"
        )
        let lines = script.split(separator: "\n").map(String.init)
        #expect(lines.first == "#!/bin/bash")
        for expected in [
            "#SBATCH --array=1-2,5", "#SBATCH --time=00:20:00", "#SBATCH --cpus-per-task=8", "#SBATCH --partition=gpu",
            "#SBATCH --gres=gpu:1", "#SBATCH --job-name=parity-h20-check",
            "#SBATCH --output=/shared/parity/h20-check/logs/%A_%a.out",
        ] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
        #expect(
            script.contains(
                "'/opt/parity/bin/parity' campaign task '/plans/plan.yaml' --index \"$SLURM_ARRAY_TASK_ID\""
            )
        )
        #expect(script.contains("if [ \"$attempt\" -gt 2 ]; then exit \"$status\"; fi"))
        // bash accepts it.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID()).sbatch")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = try Process.run(URL(fileURLWithPath: "/bin/bash"), arguments: ["-n", file.path])
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func queueLinesMapToTaskStates() {
        let output = """
            4242_0|COMPLETED|None
            4242_1|RUNNING|None
            4242_2|CANCELLED|None
            4242_3|TIMEOUT|TimeLimit
            4242_4|FAILED|NonZeroExitCode
            4242_5|PENDING|Resources
            4243_6|RUNNING|None
            garbage line
            """
        let states = SlurmExecutor.parseQueue(output, job: "4242")
        #expect(states.count == 6)
        #expect(states[0]?.state == .completed && states[1]?.state == .running && states[2]?.state == .cancelled)
        #expect(states[3]?.state == .timeout && states[3]?.reason == "TimeLimit")
        #expect(states[4]?.state == .failed && states[5]?.state == .pending && states[6] == nil)
        #expect(SlurmExecutor.state("OUT_OF_MEMORY") == .failed && SlurmExecutor.state("NODE_FAIL") == .failed)
        #expect(SlurmExecutor.state("WHATEVER") == nil)
    }
}
