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
        // libdeflate: the archive's gzip members (whole-buffer deflate ~1.5x zlib's speed at level 6, and its
        // inflate for the in-worker check ~3x); zlib stays for streaming (reading .gz input, the zip writer).
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]
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
        // mimalloc, linked into the two executables (not the library: the allocator is the application's
        // choice): it replaces malloc for the whole process, Swift's runtime included. Records are allocated by the
        // parse workers and freed by the correlator and enricher threads, which glibc's malloc does slowly
        // (correlate -21% wall clock, parse stage -11% CPU on the bench dump; BENCHMARKS.md, session 23). Vector
        // and Fluent Bit ship jemalloc for the same reason; mimalloc held less memory per open group here.
        .systemLibrary(
            name: "CMimalloc",
            providers: [.apt(["libmimalloc-dev"])]
        ),
        .target(
            name: "AuditPipe",
            dependencies: [
                "CZlib",
                "CDeflate",
                "CPCRE2",
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        // A minimal GET-only HTTP/1.1 server for the screen, instead of a package: FlyingFox 0.27.1 builds here
        // (46 s on 2 cores) but reads a request head without a bound on header count, line length or time, which
        // the screen's security rules need.
        // TLS for the screen through the system's OpenSSL (libssl-dev), not swift-nio-ssl, whose SwiftNIO would
        // add its build time to every CI run.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(
            name: "AuditPipeHTTP",
            dependencies: ["COpenSSL"]
        ),
        .target(
            name: "AuditPipeServe",
            dependencies: [
                "AuditPipe",
                "AuditPipeHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "auditpipe",
            dependencies: [
                "AuditPipe",
                "AuditPipeHTTP",
                "AuditPipeServe",
                .target(name: "CMimalloc", condition: .when(platforms: [.linux])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "AuditPipeFuzz",
            dependencies: ["AuditPipe", "AuditPipeHTTP", "AuditPipeServe"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "AuditPipeBench",
            dependencies: ["AuditPipe", .target(name: "CMimalloc", condition: .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "AuditPipeTests",
            dependencies: ["AuditPipe", "CZlib", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "AuditPipeServeTests",
            dependencies: ["AuditPipe", "AuditPipeServe", "AuditPipeHTTP"]
        ),
    ]
)
