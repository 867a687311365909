/// A column of a resource.
public struct Column: Sendable, Hashable {
    public var name: String
    public var type: ColumnType
    /// The database assigns the value (an auto-incrementing integer key). Never reused after a delete.
    public var generated: Bool
    /// A value must be present (NOT NULL). Key columns are always required.
    public var required: Bool
    /// No two rows may share a value (UNIQUE).
    public var unique: Bool

    public init(name: String, type: ColumnType, generated: Bool = false, required: Bool = false, unique: Bool = false) {
        self.name = name
        self.type = type
        self.generated = generated
        self.required = required
        self.unique = unique
    }
}
