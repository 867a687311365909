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
    /// Clients never write it: an insert or update that names it is refused (`readOnlyColumn`).
    /// The database may still fill it (a default, a computed column) and a set-null of the
    /// database's own rules may still clear it.
    public var readOnly: Bool
    /// The database's type is one Restable does not know (uuid, jsonb, a blob, ...): the column is
    /// read, compared and ordered as its text form (`CAST(column AS TEXT)`). Its `type` is `text`
    /// and it is always read-only.
    public var readAsText: Bool

    public init(
        name: String, type: ColumnType, generated: Bool = false, required: Bool = false, unique: Bool = false, readOnly: Bool = false,
        readAsText: Bool = false
    ) {
        self.name = name
        self.type = type
        self.generated = generated
        self.required = required
        self.unique = unique
        self.readOnly = readOnly || readAsText
        self.readAsText = readAsText
    }
}
