// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "auditpipe",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AuditPipe", targets: ["AuditPipe"]),
        .executable(name: "auditpipe", targets: ["auditpipe"]),
        .executable(name: "auditpipe-bench", targets: ["AuditPipeBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["libz-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .target(
            name: "AuditPipe",
            dependencies: [
                "CZlib",
                "CPCRE2",
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .executableTarget(
            name: "auditpipe",
            dependencies: [
                "AuditPipe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "AuditPipeFuzz",
            dependencies: ["AuditPipe"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "AuditPipeBench",
            dependencies: ["AuditPipe"]
        ),
        .testTarget(
            name: "AuditPipeTests",
            dependencies: ["AuditPipe"]
        ),
    ]
)
