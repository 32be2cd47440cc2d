// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "parity",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "parity", targets: ["parity"]),
        .executable(name: "parity-probe", targets: ["parity-probe"]),
        .library(name: "Catalogue", targets: ["Catalogue"]),
        .library(name: "ExportControl", targets: ["ExportControl"]),
        .library(name: "PerfModel", targets: ["PerfModel"]),
        .library(name: "Measure", targets: ["Measure"]),
        .library(name: "Assessment", targets: ["Assessment"]),
        .library(name: "Reporting", targets: ["Reporting"]),
        .library(name: "LoadGen", targets: ["LoadGen"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Server", targets: ["Server"]),
        .library(name: "Campaign", targets: ["Campaign"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "Catalogue",
            dependencies: [.product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ExportControl",
            dependencies: ["Catalogue", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PerfModel",
            dependencies: ["Catalogue", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Measure",
            dependencies: ["Catalogue"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Assessment",
            dependencies: [
                "Catalogue", "PerfModel", "Measure", "ExportControl", "Store", .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Reporting",
            dependencies: [
                "Catalogue", "PerfModel", "Measure", "Assessment", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LoadGen",
            dependencies: [
                "Catalogue",
                "Measure",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Simulator",
            dependencies: [
                "Catalogue",
                "PerfModel",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Store",
            dependencies: [
                "Catalogue",
                "Measure",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Server",
            dependencies: [
                "Catalogue",
                "Measure",
                "Assessment",
                "Reporting",
                "Store",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Campaign",
            dependencies: [
                "Catalogue", "Measure", "Store", "Assessment", "LoadGen",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "parity",
            dependencies: [
                "Catalogue",
                "ExportControl",
                "PerfModel",
                "Measure",
                "Assessment",
                "Reporting",
                "LoadGen",
                "Simulator",
                "Store",
                "Server",
                "Campaign",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // A small executable to copy onto a GPU host without a Swift toolchain (scripts/build-probe links it with
        // --static-swift-stdlib): Measure's backends, JSON lines on standard output.
        .executableTarget(
            name: "parity-probe",
            dependencies: ["Measure", "Catalogue", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CatalogueTests",
            dependencies: ["Catalogue"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExportControlTests",
            dependencies: ["ExportControl", "Catalogue"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MeasureTests",
            dependencies: ["Measure", "Catalogue"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AssessmentTests",
            dependencies: [
                "Assessment", "Measure", "PerfModel", "Catalogue", "ExportControl", "Store", "ParityTesting",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ParityTesting",
            dependencies: ["Store", "Measure", "Catalogue"],
            path: "Tests/ParityTesting",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReportingTests",
            dependencies: ["Reporting", "Assessment", "Catalogue", "ParityTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoadGenTests",
            dependencies: [
                "LoadGen", "Simulator", "Catalogue", "PerfModel", "Measure",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Measure", "Catalogue", "ParityTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Store", "Measure", "Reporting", "Assessment", "Catalogue", "ParityTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CampaignTests",
            dependencies: [
                "Campaign", "Catalogue", "Store", "Measure", "Assessment", "ParityTesting", "LoadGen", "Simulator",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PerfModelTests",
            dependencies: ["PerfModel", "Catalogue"],
            swiftSettings: swiftSettings
        ),
    ]
)
