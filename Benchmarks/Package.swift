// swift-tools-version:6.1
import PackageDescription

// Benchmarks of Parity's own code, kept out of the main package (swift-nio's layout).
// Run: cd Benchmarks && swift package benchmark
let package = Package(
    name: "ParityBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "parity", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PerfModelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "PerfModel", package: "parity"),
                .product(name: "Catalogue", package: "parity"),
            ],
            path: "Benchmarks/PerfModelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "AssessmentBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Assessment", package: "parity"),
                .product(name: "Reporting", package: "parity"),
                .product(name: "Catalogue", package: "parity"),
            ],
            path: "Benchmarks/AssessmentBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
