public import Assessment
public import Catalogue
import Foundation
import Yams

/// A benchmark campaign (`parity campaign`): which hosts (each a chip), which suites with how many repetitions,
/// where the results go, time limits and retries, and the scheduler's settings. Read from YAML with errors that
/// name file, line and field, like every other catalogue file.
public struct CampaignPlan: Sendable, Hashable, Codable {
    public static let currentSchema = "parity.campaign/1"

    /// Hosts that carry one chip type; `count` expands to `name-0 … name-(count-1)`.
    public struct Host: Sendable, Hashable, Codable {
        public var name: String
        public var chip: String
        public var count: Int
    }

    /// What each task runs.
    public struct SuiteSpec: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable {
            /// Measure's CPU or CUDA micro-benchmarks (`backend`, `suite`).
            case micro
            /// An external probe command printing parity.measurement/1 lines (`command`).
            case probe
            /// A serving benchmark (`parity bench serve`) against an OpenAI-compatible endpoint (`serve`).
            case serve
        }

        /// A serving scenario: where, what and how much load.
        public struct Serve: Sendable, Hashable, Codable {
            public var baseURL: String
            public var model: String?
            public var numPrompts: Int
            public var inputLength: Int
            public var outputLength: Int
            public var maxConcurrency: Int?
            /// Requests per second, or `inf`.
            public var requestRate: String
            /// What the typed serving record needs and the endpoint does not tell: accelerators behind it, the
            /// engine, the weight precision and the tensor-parallel degree.
            public var chips: Int?
            public var engine: String?
            public var weightPrecision: String?
            public var tensorParallel: Int?
            /// A Mooncake-format JSONL trace replayed on its own clock instead of the synthetic prompts.
            public var trace: String?
            /// Multiplies the trace's gaps (0.5 replays twice as fast).
            public var traceTimeScale: Double?
            /// A ShareGPT file of multi-turn conversations, each turn sent with its history (`num-prompts` counts
            /// conversations; `output-len` sets every turn's `max_tokens`).
            public var conversations: String?
            /// Seconds between a reply and the next turn of a conversation.
            public var thinkTime: Double?
            /// The most turns sent per conversation.
            public var maxTurns: Int?

            /// The `parity bench serve` arguments for this scenario.
            public var arguments: [String] {
                var arguments = [
                    "--base-url", baseURL, "--num-prompts", String(numPrompts), "--input-len", String(inputLength),
                    "--output-len", String(outputLength), "--request-rate", requestRate,
                ]
                if let model { arguments += ["--model", model] }
                if let maxConcurrency { arguments += ["--max-concurrency", String(maxConcurrency)] }
                if let chips { arguments += ["--chips", String(chips)] }
                if let engine { arguments += ["--engine", engine] }
                if let weightPrecision { arguments += ["--weight-precision", weightPrecision] }
                if let tensorParallel { arguments += ["--tp", String(tensorParallel)] }
                if let trace {
                    arguments += ["--dataset", "mooncake", "--dataset-path", trace]
                    if let traceTimeScale { arguments += ["--trace-time-scale", String(traceTimeScale)] }
                }
                if let conversations {
                    arguments += ["--dataset", "sharegpt", "--dataset-path", conversations, "--multi-turn"]
                    if let thinkTime { arguments += ["--think-time", "\(thinkTime)s"] }
                    if let maxTurns { arguments += ["--max-turns", String(maxTurns)] }
                }
                return arguments
            }
        }

        public var name: String
        public var kind: Kind
        public var backend: String?
        /// `quick` or `full`.
        public var suite: String
        public var command: String?
        public var serve: Serve?
        public var repetitions: Int
        /// The hosts this suite runs on (their names); `nil` for every host.
        public var hosts: [String]?
    }

    /// Where results go: always files under `directory` (shared storage), and a store when given.
    public struct Results: Sendable, Hashable, Codable {
        /// A result store: SQLite path or postgres:// URL.
        public var store: String?
        /// A folder every host can write (results, logs, task markers, generated job files).
        public var directory: String
    }

    public struct Slurm: Sendable, Hashable, Codable {
        public var partition: String?
        public var account: String?
        public var cpusPerTask: Int
        /// e.g. `gpu:1`.
        public var gres: String?
        /// The `parity` executable on the compute nodes (default: the one that submits).
        public var executable: String?
    }

    public struct Kubernetes: Sendable, Hashable, Codable {
        public var namespace: String
        public var image: String
        /// Extended resource that schedules the accelerator, e.g. `nvidia.com/gpu` or `huawei.com/Ascend910`.
        public var resource: String?
        public var resourceCount: Int
        public var parallelism: Int
    }

    public var schema: String
    public var name: String
    public var organisation: String
    public var country: String
    /// When the campaign's tests run (for the directives in force).
    public var date: Day
    public var hosts: [Host]
    public var suites: [SuiteSpec]
    public var results: Results
    /// Per-task time limit.
    public var timeLimitSeconds: Int
    /// How many times the scheduler may retry a failed task.
    public var retries: Int
    public var slurm: Slurm
    public var kubernetes: Kubernetes?
    public var file: String

    /// Reads a plan; relative `results.directory` and `results.store` paths are taken from the plan's folder.
    public static func load(path: String) throws(CatalogueError) -> CampaignPlan {
        let text = try CatalogueFiles.read(URL(fileURLWithPath: path), displayName: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try decode(text: text, file: path, baseDirectory: base)
    }

    /// Letters, digits and `. _ - / : = , + @ %` only.
    static func isSchedulerSafe(_ value: String) -> Bool {
        !value.isEmpty
            && value.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || Array("._-/:=,+@%".utf8).contains(byte)
            }
    }

    public static func decode(
        text: String,
        file: String,
        baseDirectory: String? = nil
    ) throws(CatalogueError)
        -> CampaignPlan
    {
        let reader = try YAMLReader(text: text, file: file)
        let root = reader.root
        try reader.rejectUnknownKeys(
            root,
            allowed: [
                "schema", "name", "organisation", "country", "date", "hosts", "suites", "results", "limits", "slurm",
                "kubernetes",
            ],
            path: ""
        )
        func optional(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> String? {
            guard let child = reader.child(node, key), !reader.isNull(child) else { return nil }
            return try reader.string(child, path: path)
        }
        func required(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> String {
            try reader.string(try reader.require(node, key, path: path), path: path)
        }
        /// A value written into a generated sbatch script: a strict character set, so that no newline, quote,
        /// `$`, backtick or `;` can become a line or a command of the script.
        func schedulerField(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> String? {
            guard let value = try optional(node, key, path) else { return nil }
            guard Self.isSchedulerSafe(value) else {
                throw reader.error(
                    reader.child(node, key),
                    path,
                    "may hold only letters, digits and . _ - / : = , + @ % (it goes into the sbatch script)"
                )
            }
            return value
        }
        func count(
            _ node: Node,
            _ key: String,
            _ path: String,
            default value: Int,
            minimum: Int
        ) throws(CatalogueError)
            -> Int
        {
            guard let child = reader.child(node, key), !reader.isNull(child) else { return value }
            let number = try reader.int(child, path: path)
            guard number >= minimum else { throw reader.error(child, path, "must be at least \(minimum)") }
            return number
        }
        func slug(_ node: Node, _ key: String, _ path: String) throws(CatalogueError) -> String {
            let child = try reader.require(node, key, path: path)
            let value = try reader.string(child, path: path)
            guard !value.isEmpty, value.count <= 63,
                value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }),
                value.first?.isLetter == true
            else {
                throw reader.error(child, path, "must be lower-case letters, digits and '-', starting with a letter")
            }
            return value
        }

        let schemaNode = try reader.require(root, "schema", path: "schema")
        let schema = try reader.string(schemaNode, path: "schema")
        guard schema == currentSchema else {
            throw reader.error(schemaNode, "schema", "is '\(schema)'; this Parity reads \(currentSchema)")
        }
        let name = try slug(root, "name", "name")
        let dateNode = try reader.require(root, "date", path: "date")
        guard let date = Day(try reader.string(dateNode, path: "date")) else {
            throw reader.error(dateNode, "date", "must be a date like 2025-10-01")
        }

        let hostsNode = try reader.require(root, "hosts", path: "hosts")
        guard case .sequence(let hostNodes) = hostsNode, !hostNodes.isEmpty else {
            throw reader.error(hostsNode, "hosts", "must be a non-empty list of {name, chip, count}")
        }
        var hosts: [Host] = []
        for (offset, node) in hostNodes.enumerated() {
            let path = "hosts[\(offset + 1)]"
            try reader.rejectUnknownKeys(node, allowed: ["name", "chip", "count"], path: path)
            hosts.append(
                Host(
                    name: try slug(node, "name", "\(path).name"),
                    chip: try required(node, "chip", "\(path).chip"),
                    count: try count(node, "count", "\(path).count", default: 1, minimum: 1)
                )
            )
        }
        if let duplicate = Dictionary(grouping: hosts, by: \.name).first(where: { $0.value.count > 1 })?.key {
            throw reader.error(hostsNode, "hosts", "name '\(duplicate)' appears twice")
        }

        func resolve(_ path: String) -> String {
            guard let baseDirectory, !path.hasPrefix("/"), !path.contains("://") else { return path }
            return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
        }
        /// A serve suite's workload fields: a trace (with its time scale) or multi-turn conversations (with think
        /// time and most turns), never both; files relative to the plan's folder, and they must exist.
        func serveWorkload(_ node: Node, path: String, into serve: inout SuiteSpec.Serve?) throws(CatalogueError) {
            let trace = try optional(node, "trace", "\(path).trace")
            let conversations = try optional(node, "conversations", "\(path).conversations")
            for (key, value) in [("trace", trace), ("conversations", conversations)] {
                guard let value else { continue }
                guard FileManager.default.fileExists(atPath: resolve(value)) else {
                    throw reader.error(
                        reader.child(node, key),
                        "\(path).\(key)",
                        "names \(resolve(value)), which does not exist"
                    )
                }
            }
            if trace != nil, conversations != nil {
                throw reader.error(
                    node,
                    "\(path).trace",
                    "and conversations do not go together (one workload per suite)"
                )
            }
            func positive(_ key: String) throws(CatalogueError) -> Double? {
                guard let child = reader.child(node, key), !reader.isNull(child) else { return nil }
                let value = try reader.double(child, path: "\(path).\(key)")
                guard value > 0, value.isFinite else { throw reader.error(child, "\(path).\(key)", "must be positive") }
                return value
            }
            let scale = try positive("trace-time-scale")
            if scale != nil, trace == nil {
                throw reader.error(reader.child(node, "trace-time-scale"), "\(path).trace-time-scale", "needs a trace")
            }
            let think: Double?
            if let child = reader.child(node, "think-time"), !reader.isNull(child) {
                let value = try reader.double(child, path: "\(path).think-time")
                guard value >= 0, value.isFinite else {
                    throw reader.error(child, "\(path).think-time", "must be seconds, 0 or more")
                }
                think = value
            } else {
                think = nil
            }
            let turns =
                reader.child(node, "max-turns") == nil
                ? nil : try count(node, "max-turns", "\(path).max-turns", default: 1, minimum: 1)
            if think != nil || turns != nil, conversations == nil {
                throw reader.error(node, "\(path).think-time", "and max-turns need conversations")
            }
            serve?.trace = trace.map(resolve)
            serve?.traceTimeScale = scale
            serve?.conversations = conversations.map(resolve)
            serve?.thinkTime = think
            serve?.maxTurns = turns
        }

        let suitesNode = try reader.require(root, "suites", path: "suites")
        guard case .sequence(let suiteNodes) = suitesNode, !suiteNodes.isEmpty else {
            throw reader.error(suitesNode, "suites", "must be a non-empty list of suites")
        }
        var suites: [SuiteSpec] = []
        for (offset, node) in suiteNodes.enumerated() {
            let path = "suites[\(offset + 1)]"
            try reader.rejectUnknownKeys(
                node,
                allowed: [
                    "name", "kind", "backend", "suite", "command", "repetitions", "base-url", "model", "num-prompts",
                    "input-len", "output-len", "max-concurrency", "request-rate", "hosts", "chips", "engine",
                    "weight-precision", "tp", "trace", "trace-time-scale", "conversations", "think-time", "max-turns",
                ],
                path: path
            )
            let kindNode = try reader.require(node, "kind", path: "\(path).kind")
            guard let kind = SuiteSpec.Kind(rawValue: try reader.string(kindNode, path: "\(path).kind")) else {
                throw reader.error(kindNode, "\(path).kind", "must be micro, probe or serve")
            }
            let backend = try optional(node, "backend", "\(path).backend")
            let command = try optional(node, "command", "\(path).command")
            switch kind {
            case .micro:
                guard let backend, ["cpu", "cuda"].contains(backend) else {
                    throw reader.error(node, "\(path).backend", "must be cpu or cuda for a micro suite")
                }
            case .probe:
                guard let command, !command.isEmpty else {
                    throw reader.error(node, "\(path).command", "is required for a probe suite")
                }
            case .serve:
                guard let url = try optional(node, "base-url", "\(path).base-url"), url.hasPrefix("http") else {
                    throw reader.error(node, "\(path).base-url", "is required for a serve suite (http://HOST:PORT)")
                }
            }
            var serve: SuiteSpec.Serve?
            if kind == .serve, let url = try optional(node, "base-url", "\(path).base-url") {
                let rate = try optional(node, "request-rate", "\(path).request-rate") ?? "inf"
                guard rate == "inf" || (Double(rate).map { $0 > 0 } ?? false) else {
                    throw reader.error(node, "\(path).request-rate", "must be a positive number or inf")
                }
                serve = SuiteSpec.Serve(
                    baseURL: url,
                    model: try optional(node, "model", "\(path).model"),
                    numPrompts: try count(node, "num-prompts", "\(path).num-prompts", default: 100, minimum: 1),
                    inputLength: try count(node, "input-len", "\(path).input-len", default: 1024, minimum: 1),
                    outputLength: try count(node, "output-len", "\(path).output-len", default: 128, minimum: 1),
                    maxConcurrency: reader.child(node, "max-concurrency") == nil
                        ? nil : try count(node, "max-concurrency", "\(path).max-concurrency", default: 1, minimum: 1),
                    requestRate: rate,
                    chips: reader.child(node, "chips") == nil
                        ? nil : try count(node, "chips", "\(path).chips", default: 1, minimum: 1),
                    engine: try schedulerField(node, "engine", "\(path).engine"),
                    weightPrecision: try optional(node, "weight-precision", "\(path).weight-precision"),
                    tensorParallel: reader.child(node, "tp") == nil
                        ? nil : try count(node, "tp", "\(path).tp", default: 1, minimum: 1)
                )
                try serveWorkload(node, path: path, into: &serve)
                if let precision = serve?.weightPrecision, Precision(rawValue: precision) == nil {
                    throw reader.error(
                        reader.child(node, "weight-precision"),
                        "\(path).weight-precision",
                        "is not a precision"
                    )
                }
            }
            let suite = try optional(node, "suite", "\(path).suite") ?? "quick"
            guard ["quick", "full"].contains(suite) else {
                throw reader.error(node, "\(path).suite", "must be quick or full")
            }
            suites.append(
                SuiteSpec(
                    name: try slug(node, "name", "\(path).name"),
                    kind: kind,
                    backend: backend,
                    suite: suite,
                    command: command,
                    serve: serve,
                    repetitions: try count(node, "repetitions", "\(path).repetitions", default: 1, minimum: 1),
                    hosts: try reader.child(node, "hosts").map { (n: Node) throws(CatalogueError) in
                        let names = try reader.stringList(n, path: "\(path).hosts")
                        for name in names where !hosts.contains(where: { $0.name == name }) {
                            throw reader.error(n, "\(path).hosts", "names '\(name)', which is not a host of the plan")
                        }
                        return names
                    }
                )
            )
        }
        if let duplicate = Dictionary(grouping: suites, by: \.name).first(where: { $0.value.count > 1 })?.key {
            throw reader.error(suitesNode, "suites", "name '\(duplicate)' appears twice")
        }

        let resultsNode = try reader.require(root, "results", path: "results")
        try reader.rejectUnknownKeys(resultsNode, allowed: ["store", "directory"], path: "results")
        guard let resultsDirectory = try schedulerField(resultsNode, "directory", "results.directory") else {
            throw reader.error(resultsNode, "results.directory", "is missing")
        }
        let results = Results(
            store: try optional(resultsNode, "store", "results.store").map(resolve),
            directory: resolve(resultsDirectory)
        )

        var timeLimit = 3600
        var retries = 0
        if let limits = reader.child(root, "limits") {
            try reader.rejectUnknownKeys(limits, allowed: ["time", "retries"], path: "limits")
            if let time = reader.child(limits, "time") {
                let text = try reader.string(time, path: "limits.time")
                guard let seconds = Self.seconds(text) else {
                    throw reader.error(time, "limits.time", "must be a duration such as 90s, 10m or 2h, got '\(text)'")
                }
                timeLimit = seconds
            }
            retries = try count(limits, "retries", "limits.retries", default: 0, minimum: 0)
        }

        var slurm = Slurm(partition: nil, account: nil, cpusPerTask: 1, gres: nil, executable: nil)
        if let node = reader.child(root, "slurm") {
            try reader.rejectUnknownKeys(
                node,
                allowed: ["partition", "account", "cpus-per-task", "gres", "executable"],
                path: "slurm"
            )
            slurm = Slurm(
                partition: try schedulerField(node, "partition", "slurm.partition"),
                account: try schedulerField(node, "account", "slurm.account"),
                cpusPerTask: try count(node, "cpus-per-task", "slurm.cpus-per-task", default: 1, minimum: 1),
                gres: try schedulerField(node, "gres", "slurm.gres"),
                executable: try optional(node, "executable", "slurm.executable")
            )
        }
        var kubernetes: Kubernetes?
        if let node = reader.child(root, "kubernetes") {
            try reader.rejectUnknownKeys(
                node,
                allowed: ["namespace", "image", "resource", "resource-count", "parallelism"],
                path: "kubernetes"
            )
            kubernetes = Kubernetes(
                namespace: try optional(node, "namespace", "kubernetes.namespace") ?? "default",
                image: try required(node, "image", "kubernetes.image"),
                resource: try optional(node, "resource", "kubernetes.resource"),
                resourceCount: try count(node, "resource-count", "kubernetes.resource-count", default: 1, minimum: 1),
                parallelism: try count(node, "parallelism", "kubernetes.parallelism", default: 8, minimum: 1)
            )
        }
        return CampaignPlan(
            schema: schema,
            name: name,
            organisation: try required(root, "organisation", "organisation"),
            country: try required(root, "country", "country").uppercased(),
            date: date,
            hosts: hosts,
            suites: suites,
            results: results,
            timeLimitSeconds: timeLimit,
            retries: retries,
            slurm: slurm,
            kubernetes: kubernetes,
            file: file
        )
    }

    /// `90s`, `10m`, `2h` or a bare number of seconds.
    public static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        if let last = trimmed.last, let unit = units[last], let value = Int(trimmed.dropLast()), value > 0 {
            return value * unit
        }
        if let value = Int(trimmed), value > 0 { return value }
        return nil
    }

    /// One task per host × suite × repetition, in a fixed order; the index is the scheduler's array index.
    public var tasks: [CampaignTask] {
        var tasks: [CampaignTask] = []
        for host in hosts {
            for ordinal in 0..<host.count {
                let hostName = host.count == 1 ? host.name : "\(host.name)-\(ordinal)"
                for suite in suites where suite.hosts?.contains(host.name) ?? true {
                    for repetition in 1...suite.repetitions {
                        tasks.append(
                            CampaignTask(
                                index: tasks.count,
                                key: "\(hostName).\(suite.name).r\(repetition)",
                                host: hostName,
                                chip: host.chip,
                                suite: suite,
                                repetition: repetition
                            )
                        )
                    }
                }
            }
        }
        return tasks
    }

    /// The plan as a procurement check sees it: one testing line per chip, with the number of hosts.
    public var testingPlan: ProcurementPlan {
        var quantities: [(chip: String, count: Int)] = []
        for host in hosts {
            if let index = quantities.firstIndex(where: { $0.chip == host.chip }) {
                quantities[index].count += host.count
            } else {
                quantities.append((host.chip, host.count))
            }
        }
        let lines = quantities.enumerated().map { offset, entry in
            ProcurementPlan.Line(
                index: offset + 1,
                fileLine: nil,
                chip: entry.chip,
                quantity: entry.count,
                purpose: "benchmark campaign \(name)",
                workload: nil,
                organisation: organisation,
                country: country,
                date: date,
                action: .test
            )
        }
        return ProcurementPlan(file: file, kind: .campaign, lines: lines)
    }
}

/// One unit of a campaign: a suite (one repetition) on one host.
public struct CampaignTask: Sendable, Hashable, Codable {
    public var index: Int
    /// Stable and unique within the campaign, e.g. `node-0.micro.r1`; result IDs and idempotency derive from it.
    public var key: String
    public var host: String
    public var chip: String
    public var suite: CampaignPlan.SuiteSpec
    public var repetition: Int
}
