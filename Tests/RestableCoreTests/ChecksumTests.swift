import RestableCore
import Testing

@Suite struct ChecksumTests {
    let row = Row(["name": .text("New Customer"), "balance": .real(0)])

    @Test func hasTheDocumentedShape() {
        let checksum = Checksum.of(row, in: Fixtures.customer)
        #expect(checksum.hasPrefix("A:"))
        #expect(checksum.count == 18)
        #expect(checksum.dropFirst(2).allSatisfy { $0.isHexDigit })
    }

    /// Pinned so that a change to the encoding (which would invalidate every checksum that
    /// clients hold) cannot go unnoticed.
    @Test func isStableAcrossProcesses() {
        #expect(Checksum.of(row, in: Fixtures.customer) == "A:03a92bfcaef6c72f")
    }

    @Test func changesWithAnyValue() {
        var changed = row
        changed["balance"] = .real(0.01)
        #expect(Checksum.of(changed, in: Fixtures.customer) != Checksum.of(row, in: Fixtures.customer))
        var nulled = row
        nulled["balance"] = .null
        #expect(Checksum.of(nulled, in: Fixtures.customer) != Checksum.of(row, in: Fixtures.customer))
    }

    @Test func distinguishesTypesAndBoundaries() {
        let a = Row(["id": .integer(1), "name": .text("ab"), "in_stock": .null])
        let b = Row(["id": .integer(1), "name": .text("a"), "in_stock": .null])
        let c = Row(["id": .integer(1), "name": .text("ab"), "in_stock": .boolean(false)])
        let checksums = Set([a, b, c].map { Checksum.of($0, in: Fixtures.product) })
        #expect(checksums.count == 3)
    }
}

@Suite struct PreconditionTests {
    let product = Row(["id": .integer(1), "name": .text("Hammer"), "in_stock": .boolean(true)])

    @Test func matchingChecksumPasses() throws {
        try Precondition.checksum(Checksum.of(product, in: Fixtures.product)).check(product, in: Fixtures.product)
    }

    @Test func staleChecksumIsAMismatch() {
        let error = #expect(throws: RestableError.self) {
            try Precondition.checksum("A:0000000000000000").check(product, in: Fixtures.product)
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.key == Key([.integer(1)]))
    }

    @Test func requiredLockingNeedsAChecksumOrOverride() throws {
        let error = #expect(throws: RestableError.self) { try Precondition.none.check(product, in: Fixtures.product) }
        #expect(error?.code == .checksumRequired)
        try Precondition.override.check(product, in: Fixtures.product)
    }

    @Test func optionalLockingAcceptsNoChecksum() throws {
        try Precondition.none.check(Row(["name": .text("A")]), in: Fixtures.customer)
    }

    @Test func lockingOffIgnoresEvenAStaleChecksum() throws {
        var resource = Fixtures.customer
        resource.optimisticLocking = .off
        try Precondition.checksum("A:stale").check(Row(["name": .text("A")]), in: resource)
    }
}
