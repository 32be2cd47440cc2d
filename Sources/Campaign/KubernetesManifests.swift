import Catalogue
import Foundation
import Yams

/// The Kubernetes form of a campaign: a ConfigMap holding the plan, and an Indexed Job (batch/v1) with one
/// completion per campaign task, each pod running `parity campaign task /etc/parity/plan.yaml --index
/// $(JOB_COMPLETION_INDEX)` with the accelerator requested as an extended resource (`nvidia.com/gpu`,
/// `huawei.com/Ascend910`, …) and the results folder on a PersistentVolumeClaim. Applying them is left to
/// the user's `kubectl apply -f`.
public enum KubernetesManifests {
    public static let planMountPath = "/etc/parity"
    public static let resultsMountPath = "/var/lib/parity/results"

    /// Both manifests as one multi-document YAML text.
    public static func render(plan: CampaignPlan, planText: String, indices: [Int]? = nil) throws -> String {
        guard let options = plan.kubernetes else {
            throw CampaignError.invalid(
                "\(plan.file): the plan has no 'kubernetes' section (namespace, image, resource, resource-count)"
            )
        }
        if let store = plan.results.store, !store.hasPrefix("postgres") {
            throw CampaignError.invalid(
                "\(plan.file): results.store is a local SQLite file; pods need a postgres:// store (or none: results "
                    + "stay on the results volume and `parity campaign collect` imports them)"
            )
        }
        let base = "parity-\(plan.name)"
        // Resuming runs only the missing tasks: completion index i runs campaign task indices[i].
        let subset = indices.flatMap { $0.count < plan.tasks.count ? $0.sorted() : nil }
        let name = subset == nil ? base : "\(base)-resume-\(Int(Date().timeIntervalSince1970))"
        let labels = map([("app.kubernetes.io/name", text("parity")), ("parity.dev/campaign", text(plan.name))])
        let configMap = map([
            ("apiVersion", text("v1")),
            ("kind", text("ConfigMap")),
            (
                "metadata",
                map([("name", text("\(base)-plan")), ("namespace", text(options.namespace)), ("labels", labels)])
            ),
            ("data", map([("plan.yaml", Node(planText, .implicit, .literal))])),
        ])
        let tasks = subset?.count ?? plan.tasks.count
        var limits: [(String, Node)] = []
        if let resource = options.resource { limits.append((resource, number(options.resourceCount))) }
        limits.append(("cpu", text(String(plan.slurm.cpusPerTask))))
        let container: [(String, Node)] = [
            ("name", text("parity")),
            ("image", text(options.image)),
            (
                "command",
                Node(
                    [
                        text("parity"), text("campaign"), text("task"), text("\(planMountPath)/plan.yaml"),
                        text("--index"),
                        text("$(JOB_COMPLETION_INDEX)"), text("--results-directory"), text(resultsMountPath),
                    ] + (subset.map { [text("--indices"), text($0.map(String.init).joined(separator: ","))] } ?? [])
                )
            ),
            (
                "env",
                Node([
                    map([
                        ("name", text("JOB_COMPLETION_INDEX")),
                        (
                            "valueFrom",
                            map([
                                (
                                    "fieldRef",
                                    map([
                                        (
                                            "fieldPath",
                                            text("metadata.annotations['batch.kubernetes.io/job-completion-index']")
                                        )
                                    ])
                                )
                            ])
                        ),
                    ])
                ])
            ),
            ("resources", map([("limits", map(limits)), ("requests", map(limits))])),
            (
                "volumeMounts",
                Node([
                    map([("name", text("plan")), ("mountPath", text(planMountPath)), ("readOnly", Node("true"))]),
                    map([("name", text("results")), ("mountPath", text(resultsMountPath))]),
                ])
            ),
        ]
        var jobSpec: [(String, Node)] = [
            ("completionMode", text("Indexed")),
            ("completions", number(tasks)),
            ("parallelism", number(min(options.parallelism, tasks))),
            ("backoffLimitPerIndex", number(plan.retries)),
            ("maxFailedIndexes", number(tasks)),
            (
                "podFailurePolicy",
                map([
                    (
                        "rules",
                        Node([
                            map([
                                ("action", text("Ignore")),
                                (
                                    "onPodConditions",
                                    Node([map([("type", text("DisruptionTarget")), ("status", text("True"))])])
                                ),
                            ])
                        ])
                    )
                ])
            ),
        ]
        jobSpec.append(
            (
                "template",
                map([
                    ("metadata", map([("labels", labels)])),
                    (
                        "spec",
                        map([
                            ("restartPolicy", text("Never")),
                            ("activeDeadlineSeconds", number(plan.timeLimitSeconds)),
                            ("containers", Node([map(container)])),
                            (
                                "volumes",
                                Node([
                                    map([("name", text("plan")), ("configMap", map([("name", text("\(base)-plan"))]))]),
                                    map([
                                        ("name", text("results")),
                                        ("persistentVolumeClaim", map([("claimName", text("\(base)-results"))])),
                                    ]),
                                ])
                            ),
                        ])
                    ),
                ])
            )
        )
        let job = map([
            ("apiVersion", text("batch/v1")),
            ("kind", text("Job")),
            ("metadata", map([("name", text(name)), ("namespace", text(options.namespace)), ("labels", labels)])),
            ("spec", map(jobSpec)),
        ])
        let header = """
            # Generated by `parity campaign run --executor kubernetes` for campaign \(plan.name): \(tasks) task(s).
            # Needs a PersistentVolumeClaim '\(base)-results' (ReadWriteMany) for the results folder.
            # Apply with: kubectl apply -f this-file.yaml

            """
        return header + (try Yams.serialize(node: configMap)) + "---\n" + (try Yams.serialize(node: job))
    }

    static func map(_ pairs: [(String, Node)]) -> Node { Node(pairs.map { (Node($0.0), $0.1) }) }
    static func text(_ value: String) -> Node { Node(value, .implicit, .doubleQuoted) }
    static func number(_ value: Int) -> Node { Node(String(value)) }
}
