extension FilterExpression {
    /// True for the record paths a line's parse settles (`RecordField.isSettledAtParse`).
    static func isSettledAtParse(_ path: FieldPath) -> Bool { path.recordField?.isSettledAtParse ?? false }

    /// What the expression says of a record as its line's parse made it, before the joiner: true or false when
    /// every path it turns on is settled at parse (`isSettledAtParse`), nil when it needs one that is not
    /// (`time`, `request_id`, `message`, `source`, `fields.*`). A false here is false for the finished record.
    func verdict(parsed r: LogRecord) -> Bool? { withUnsafePointer(to: r) { verdict(parsedAt: $0) } }

    /// `verdict(parsed:)` of the record at `r`, read where it lies (`withUnsafePointer(to:)` of a record
    /// copied it whole, a retain and a release of each of its fields, for each record `filter --records` read).
    func verdict(parsedAt r: UnsafePointer<LogRecord>) -> Bool? {
        switch self {
        case .constant(let b): return b
        case .and(let a, let b):
            let x = a.verdict(parsedAt: r)
            if x == false { return false }
            let y = b.verdict(parsedAt: r)
            if y == false { return false }
            return x == true && y == true ? true : nil
        case .or(let a, let b):
            let x = a.verdict(parsedAt: r)
            if x == true { return true }
            let y = b.verdict(parsedAt: r)
            if y == true { return true }
            return x == false && y == false ? false : nil
        case .not(let e):
            return e.verdict(parsedAt: r).map { !$0 }
        case .compare(let p, _, _), .isIn(let p, _), .contains(let p, _), .matches(let p, _), .glob(let p, _):
            guard Self.isSettledAtParse(p) else { return nil }
            // A settled path is read from the record itself: the subject's object is never built.
            return matches(LogRecordSubject(record: r, enricher: nil))
        }
    }

    /// The roles a lean parse must read for `verdict(parsed:)` to say of its record what it says of the whole
    /// parse's: the time (the joiner reads it) and the roles behind each settled path the expression names —
    /// `user` and `service` are one role each, `level` is the level and an error code (which makes a record an
    /// error); `kind`, `ip` and the HTTP paths are made of a dozen roles and headers, so naming one reads them all.
    var leanRoles: RoleMask {
        var mask = RoleMask([.time(rank: 0)])
        addLeanRoles(to: &mask)
        return mask
    }

    private func addLeanRoles(to mask: inout RoleMask) {
        switch self {
        case .constant: return
        case .and(let a, let b), .or(let a, let b):
            a.addLeanRoles(to: &mask)
            b.addLeanRoles(to: &mask)
        case .not(let e): e.addLeanRoles(to: &mask)
        case .compare(let p, _, _), .isIn(let p, _), .contains(let p, _), .matches(let p, _), .glob(let p, _):
            guard Self.isSettledAtParse(p) else { return }
            switch p.recordField {
            case .user: mask = mask.union(RoleMask([.user]))
            case .service: mask = mask.union(RoleMask([.service(rank: 0)]))
            case .level: mask = mask.union(RoleMask([.level, .errorCode]))
            default: mask = .all
            }
        }
    }

    /// True when `verdict(parsed:)` can be false for some record: the expression can be ruled out from the
    /// settled paths alone.
    var canBeRuledOutWhenParsed: Bool { canSettle(false) }

    /// True when some values of the settled paths alone make the expression `want`.
    private func canSettle(_ want: Bool) -> Bool {
        switch self {
        case .constant(let b): return b == want
        case .and(let a, let b):
            return want ? a.canSettle(true) && b.canSettle(true) : a.canSettle(false) || b.canSettle(false)
        case .or(let a, let b):
            return want ? a.canSettle(true) || b.canSettle(true) : a.canSettle(false) && b.canSettle(false)
        case .not(let e): return e.canSettle(!want)
        case .compare(let p, _, _), .isIn(let p, _), .contains(let p, _), .matches(let p, _), .glob(let p, _):
            return Self.isSettledAtParse(p)
        }
    }
}
