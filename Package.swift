// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way: C bindings ← wrappers ← app libraries ← executables.
let package = Package(
    name: "siem-collector",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "siem-api", targets: ["siem-api"]),
        .executable(name: "siem-poller", targets: ["siem-poller"]),
        .executable(name: "siem-ctl", targets: ["siem-ctl"]),
        .executable(name: "siem-devbroker", targets: ["siem-devbroker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        // Already in the graph through jwt-kit; used directly to read X.509 certificates.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // C libraries, reached through system-library targets (headers + link flags only).
        .systemLibrary(name: "CFastCGI", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // glibc's malloc tuning (mallopt), for the executables' process-wide settings.
        .systemLibrary(name: "CMalloc"),
        // Non-variadic wrappers for the variadic C calls Swift cannot make.
        .target(name: "CCurlShims", dependencies: ["CCurl"]),
        .target(name: "CKafkaShims", dependencies: ["CRdKafka"]),

        // One Swift wrapper per C library; no C type leaks out of these.
        .target(name: "FastCGI", dependencies: ["CFastCGI", "HTTPRouting"]),
        .target(name: "Postgres", dependencies: ["CLibPQ", "UTCTime", "TextBasics"]),
        .target(name: "Curl", dependencies: ["CCurl", "CCurlShims", "TextBasics"]),
        .target(name: "Kafka", dependencies: ["CRdKafka", "CKafkaShims", "TextBasics"]),

        // Pure Swift building blocks.
        .target(name: "JSONBytes"),
        // Small text helpers with no dependencies: base64url (JWTs, thumbprints, page tokens), trimming.
        .target(name: "TextBasics"),
        .target(name: "UTCTime"),
        // The executables' one reader of environment variables (typed, errors name the variable, never its value).
        .target(name: "EnvironmentVariables"),
        .target(name: "HTTPRouting", dependencies: ["JSONBytes", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Secrets", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Auth", dependencies: [
            "TextBasics",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // What each platform is: streams, settings, credentials, clouds (issue #12).
        .target(name: "Catalog", dependencies: ["JSONBytes", "UTCTime"]),
        .target(name: "SourceModel", dependencies: ["Catalog", "JSONBytes", "UTCTime"]),
        .target(name: "JSONLogging", dependencies: ["JSONBytes", "UTCTime", .product(name: "Logging", package: "swift-log")]),
        .target(name: "SigV4", dependencies: ["TextBasics", .product(name: "Crypto", package: "swift-crypto")]),

        // Application libraries.
        .target(name: "Storage", dependencies: [
            "UTCTime", "Secrets",
            "Postgres", "SourceModel", "JSONBytes", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "API", dependencies: [
            "HTTPRouting", "Auth", "Storage", "Secrets", "Catalog", "SourceModel", "JSONBytes", "UTCTime", "Providers",
            "TextBasics",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        // The platforms' audit-log APIs over an HTTP transport: no Kafka, no PostgreSQL
        // (siem-api links this for credential checks and probes).
        .target(name: "Providers", dependencies: [
            "Curl", "Catalog", "SourceModel", "JSONBytes", "UTCTime", "SigV4", "TextBasics",
            .product(name: "Crypto", package: "swift-crypto"),
            // RSA (RS256) for the service-account and client-assertion JWTs.
            .product(name: "CryptoExtras", package: "swift-crypto"),
            // The certificate of Microsoft certificate credentials (thumbprint, public key).
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The cron tick: due sources, advisory locks, checkpoints, Kafka delivery.
        .target(name: "Poller", dependencies: [
            "Providers", "Curl", "Kafka", "Storage", "Secrets", "Catalog", "SourceModel", "JSONBytes", "UTCTime",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Development and benchmark tooling, kept out of the production libraries.
        .target(name: "KafkaDevTools", dependencies: ["Kafka", "CRdKafka"]),
        .target(name: "PollerBench", dependencies: ["Poller", "Providers", "Curl", "Kafka", "JSONBytes", "UTCTime"]),

        // Executables: wiring only.
        .executableTarget(name: "siem-api", dependencies: [
            "API", "FastCGI", "Storage", "Postgres", "JSONLogging", "Auth", "Secrets", "Catalog", "EnvironmentVariables",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "siem-poller", dependencies: [
            "Poller", "PollerBench", "Providers", "Catalog", "JSONLogging", "EnvironmentVariables", "CMalloc",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "siem-ctl", dependencies: [
            "Storage", "Secrets", "Auth", "Postgres", "SourceModel", "JSONBytes", "UTCTime", "Catalog", "EnvironmentVariables",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "siem-devbroker", dependencies: [
            "Kafka", "KafkaDevTools", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Fakes shared by the unit tests (a scripted HTTP transport, a fake clock, an in-memory
        // checkpoint store, a recording event sink) and the recorded pages they answer with.
        // Test targets only: no production target or executable may depend on it.
        .target(name: "TestSupport", dependencies: [
            "Providers", "Poller", "Catalog", "Curl", "JSONBytes", .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Pages")]),

        // Unit tests mirror the modules; integration tests live in Tests/integration (pytest).
        .testTarget(name: "JSONBytesTests", dependencies: ["JSONBytes"]),
        .testTarget(name: "TextBasicsTests", dependencies: ["TextBasics"]),
        .testTarget(name: "UTCTimeTests", dependencies: ["UTCTime"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"]),
        .testTarget(name: "EnvironmentVariablesTests", dependencies: ["EnvironmentVariables"]),
        .testTarget(name: "HTTPRoutingTests", dependencies: ["HTTPRouting", "JSONBytes"]),
        .testTarget(name: "SecretsTests", dependencies: ["Secrets", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "AuthTests", dependencies: [
            "Auth",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "JSONBytes", "UTCTime"]),
        .testTarget(name: "SourceModelTests", dependencies: ["SourceModel", "JSONBytes"]),
        .testTarget(name: "APITests", dependencies: [
            "API", "HTTPRouting", "Auth", "JSONBytes", "Catalog", "SourceModel", "Storage",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        .testTarget(name: "ProvidersTests", dependencies: [
            "Providers", "TestSupport", "Catalog", "JSONBytes", "UTCTime", "Curl",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "PollerTests", dependencies: [
            "Poller", "Providers", "TestSupport", "Catalog", "SourceModel", "JSONBytes", "UTCTime", "Curl", "Kafka",
            "KafkaDevTools",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "KafkaDevTools", "CRdKafka"]),
        .testTarget(name: "CurlTests", dependencies: ["Curl"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4"], resources: [.copy("Fixtures")]),
    ]
)

for target in package.targets where target.type != .system && !target.name.hasSuffix("Shims") {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
