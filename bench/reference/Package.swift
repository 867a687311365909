// swift-tools-version:6.2
import PackageDescription

/// The references that `bench/run` measures Restable against, in the same run: the least code
/// that serves the same deletes over HTTP with the same server framework and database settings.
let package = Package(
    name: "RestableBenchReference",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "reference-sqlite", targets: ["reference-sqlite"]),
        .executable(name: "reference-postgres", targets: ["reference-postgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .executableTarget(
            name: "reference-sqlite",
            dependencies: ["CSQLite", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .executableTarget(
            name: "reference-postgres",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ]
)
