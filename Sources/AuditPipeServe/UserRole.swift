/// What a screen user may do: a `viewer` lists and reads events, an `auditor` also exports them.
public enum UserRole: String, Sendable, CaseIterable {
    /// Lists and reads events.
    case viewer
    /// Lists, reads and exports events.
    case auditor

    /// True when the role may export.
    public var mayExport: Bool { self == .auditor }
}
