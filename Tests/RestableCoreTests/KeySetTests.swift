import RestableCore
import Testing

/// ``KeySet`` keeps single integer keys inserted in ascending order in a sorted array and moves
/// them into a hashed set at the first key out of order. Across that switch it must answer as
/// a plain `Set<Key>` does.
@Suite struct KeySetTests {
    static func key(_ value: Int64) -> Key { Key([.integer(value)]) }

    /// Inserts each key in order; returns what each insert answered.
    static func insert(_ keys: [Key], into set: inout KeySet) -> [Bool] {
        keys.map { set.insert($0) }
    }

    static func keys(_ values: [Int64]) -> [Key] { values.map(key) }

    @Test func ascendingKeysAreAllFoundAndNothingElse() {
        var set = KeySet()
        #expect(set.isEmpty)
        let inserted = Self.insert(Self.keys(Array(stride(from: Int64(10), through: 1_000, by: 10))), into: &set)
        #expect(inserted.allSatisfy { $0 })
        #expect(set.count == 100)
        #expect(!set.isEmpty)
        for value in Int64(0)...1_010 {
            #expect(set.contains(Self.key(value)) == (value % 10 == 0 && value >= 10 && value <= 1_000), "\(value)")
        }
    }

    @Test func aRepeatOfTheLastKeyIsNotInsertedAgain() {
        var set = KeySet()
        _ = Self.insert(Self.keys(Array(1...5)), into: &set)
        let repeated = set.insert(Self.key(5))
        #expect(!repeated)
        #expect(set.count == 5)
        // Every key is still there after the switch, and a repeat of any is refused.
        for value in Int64(1)...5 { #expect(set.contains(Self.key(value))) }
        let answers1 = Self.insert(Self.keys([1, 2, 3, 4, 5]), into: &set)
        #expect(answers1 == [false, false, false, false, false])
        #expect(!set.contains(Self.key(6)))
        let answers2 = Self.insert(Self.keys([6, 0, 6, 0]), into: &set)
        #expect(answers2 == [true, true, false, false])
        #expect(set.count == 7)
    }

    @Test func aNewKeyOutOfOrderKeepsEveryEarlierKey() {
        var set = KeySet()
        _ = Self.insert(Self.keys(Array(100...6_000)), into: &set)
        let below = set.insert(Self.key(50))
        #expect(below, "new, below every key so far")
        #expect(set.count == 5_902)
        let earlier: [Int64] = [100, 101, 3_000, 5_999, 6_000, 50]
        #expect(earlier.allSatisfy { set.contains(Self.key($0)) })
        let answers3 = Self.insert(Self.keys(earlier), into: &set)
        #expect(answers3 == Array(repeating: false, count: earlier.count))
        #expect(!set.contains(Self.key(99)) && !set.contains(Self.key(6_001)) && !set.contains(Self.key(51)))
        // Ascending again after the switch: found, and counted once.
        let answers4 = Self.insert(Self.keys([6_001, 6_001]), into: &set)
        #expect(answers4 == [true, false])
        #expect(set.contains(Self.key(6_001)))
        #expect(set.count == 5_903)
    }

    @Test func extremeAndNegativeValues() {
        var set = KeySet()
        let answers5 = Self.insert(Self.keys([.min, -5, -1, 0, 1, .max, .max]), into: &set)
        #expect(answers5 == [true, true, true, true, true, true, false])
        #expect(set.contains(Self.key(.min)) && set.contains(Self.key(-1)) && set.contains(Self.key(.max)))
        #expect(!set.contains(Self.key(-2)) && !set.contains(Self.key(2)))
        let answers6 = Self.insert(Self.keys([-3, .min]), into: &set)
        #expect(answers6 == [true, false])
        #expect(set.contains(Self.key(.min)) && set.contains(Self.key(-3)) && set.count == 7)
    }

    /// Integer keys beside text and composite keys: none is taken for another, before and
    /// after the switch.
    @Test func otherKindsOfKeysAreKeptApart() {
        var set = KeySet()
        let first = Self.insert([Self.key(1), Key([.text("1")]), Key([.integer(1), .integer(2)]), Self.key(2)], into: &set)
        #expect(first == [true, true, true, true])
        #expect(set.count == 4)
        #expect(!set.contains(Key([.text("2")])))
        #expect(!set.contains(Key([.integer(2), .integer(1)])))
        #expect(!set.contains(Key([.decimal(DecimalNumber(2))])))
        let second = Self.insert([Self.key(0), Key([.text("1")]), Key([.integer(1), .integer(2)]), Self.key(2)], into: &set)
        #expect(second == [true, false, false, false])
        #expect(set.contains(Self.key(1)) && set.contains(Self.key(2)) && set.contains(Self.key(0)))
        #expect(set.count == 5)
    }

    /// Against `Set<Key>` on sequences that ascend for a while (by steps of one to three), then
    /// jump about and repeat keys far back: every insert and every lookup agree.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func answersAsASetDoes(seed: UInt64) {
        var random = SplitMix(state: seed)
        var set = KeySet()
        var reference = Set<Key>()
        var next = Int64(random.next() % 100) - 50
        let ascending = Int(random.next() % 3_000)
        var values: [Int64] = []
        for _ in 0..<ascending {
            next += Int64(1 + random.next() % 3)
            values.append(next)
        }
        let spread = UInt64(ascending * 3 + 100)
        for _ in 0..<2_000 { values.append(Int64(random.next() % spread) - 50) }
        var disagreements: [String] = []
        for value in values {
            let key = Self.key(value)
            let inserted = set.insert(key)
            if inserted != reference.insert(key).inserted || set.count != reference.count { disagreements.append("insert \(value)") }
        }
        for value in Int64(-60)...(max(next, Int64(spread)) + 60) {
            let key = Self.key(value)
            if set.contains(key) != reference.contains(key) { disagreements.append("contains \(value)") }
        }
        #expect(disagreements.isEmpty)
        #expect(set.count == reference.count)
    }

    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
