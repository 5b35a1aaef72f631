/// Orders records for "first wins" choices: API records before access lines before logs, then earlier
/// time, then earlier place (input's file name key, then offset). Folding with it gives the same event whatever order
/// records arrive in: a live run, where a quiet input's records merge late, ranks them as a batch run does.
/// Packed in 16 bytes (kind in the top byte of the order word) since an open group holds eight of them.
struct RecordRank: Comparable, Sendable {
    private static let sequenceMask: UInt64 = (1 << 56) - 1
    private var time: Int64
    private var kindAndSequence: UInt64

    init(_ r: LogRecord) { self.init(kind: r.kind.rawValue, time: r.time, sequence: Self.place(r)) }

    /// Rank by time and place only (ignoring kind).
    init(timeOf r: LogRecord) { self.init(kind: 0, time: r.time, sequence: Self.place(r)) }

    /// Rank that prefers the latest record of the best kind (for "last response wins"). The time is reversed
    /// with `~` (−time − 1, the same order reversed): `-time` traps at the earliest instant, `Int64.min`.
    init(latestOf r: LogRecord) {
        self.init(kind: r.kind.rawValue, time: ~r.time, sequence: Int64(Self.sequenceMask) - Self.place(r))
    }

    /// Where a record is, as one number within the 56 bits the rank keeps: its input's `nameKey` (16 bits)
    /// above its offset (40 bits, a terabyte). It depends on the input's file name, not on its place in the
    /// run's input list, so the order inputs are given or found in changes no choice; records equal here
    /// keep the one merged first (inputs of one time merge in name order).
    static func place(_ r: LogRecord) -> Int64 {
        Int64(r.nameKey) << 40 | (r.position.offset & ((1 << 40) - 1))
    }

    static let worst = RecordRank(kind: .max, time: .max, sequence: Int64(sequenceMask))

    init(kind: UInt8, time: Int64, sequence: Int64) {
        self.time = time
        kindAndSequence = UInt64(kind) << 56 | (UInt64(truncatingIfNeeded: sequence) & Self.sequenceMask)
    }

    static func < (a: RecordRank, b: RecordRank) -> Bool {
        (a.kindAndSequence >> 56, a.time, a.kindAndSequence & sequenceMask)
            < (b.kindAndSequence >> 56, b.time, b.kindAndSequence & sequenceMask)
    }
}

/// A service seen in a group, with when it first appeared.
struct ServiceSeen: Sendable {
    var name: String
    var first: RecordRank
}

/// The aggregate state of one open group: what its audit event needs, folded record by record, so an
/// open group costs a few hundred bytes however many records it has (unless records are embedded).
struct GroupAccumulator: Sendable {
    var requestID: String?
    /// `RequestIDHash` of `requestID`, as its first record carried it.
    var requestIDHash: UInt64
    var start: Int64
    var end: Int64
    /// Merge order of the group's first record: the order groups are emitted in.
    var firstSequence: Int64
    /// The record that names the event (its id): the earliest by time, then place (`RecordRank.place`).
    /// It does not depend on the order inputs are given in or records arrive in, so a live run, one resumed
    /// after a crash, and a batch run over the same bytes name the event alike.
    var firstPosition: SourcePosition
    /// The merge order of the record at `firstPosition`.
    var firstPlace: Int64
    var records: Int32 = 0
    var lines: Int64 = 0
    var levels = SIMD8<UInt32>(repeating: 0)
    var services: [ServiceSeen] = []
    /// The actor's fields, each from the best-ranked record that gives it.
    var actor: ActorFields {
        ActorFields(user: actorUser, userID: actorUserID, ip: actorIP, userAgent: actorUserAgent)
    }
    /// `actor`'s fields, stored one by one: a stored `ActorFields`, a default value of the memberwise
    /// initializer, was made apart, copied into each group opened and destroyed (~2M instructions on dump10k).
    var actorUser: String?
    var actorUserID: String?
    var actorIP: String?
    var actorUserAgent: String?
    var actorRanks = (RecordRank.worst, RecordRank.worst, RecordRank.worst, RecordRank.worst)
    var http = BestHTTPFields()
    var status: Int?
    var statusRank = RecordRank.worst
    var endMarker: Int64?
    var flags: EventFlags = []
    var part: Int32 = 0
    /// What most groups never get (an error, an action, an entity hint, captured values, embedded or retained
    /// records), out of line: 8 bytes in every open group instead of 136 (issue 13: ≤ 1 KiB per open group).
    private var extras: GroupExtras?
    /// True when the group keeps its records (`embedded` or `retained`): checked inline, so appending a record
    /// holds no second reference to `extras` (which would make every append copy the box and its arrays).
    private var keepsRecords = false

    /// The message of the group's earliest error record.
    var error: String? { extras?.error }
    /// What the best-ranked record that says so says was done.
    var action: String? { extras?.action }
    /// The entity the best record names itself (one naming an id beats one that does not).
    var entityHint: EntityRef? { extras?.entityHint }
    /// The records, when events embed them (`--include-records`).
    var embedded: [LogRecord]? { extras?.embedded }
    /// The records themselves, for a checkpoint of the open groups (a checkpointed follow run).
    var retained: [LogRecord]? { extras?.retained }
    /// Captured field values for enrichment rules, each from the best-ranked record that has it.
    var captured: [(value: JSONValue, rank: RecordRank)?]? { extras?.captured }

    /// The group `r` opens; `embed` and `retain` keep its records (`embedded`, `retained`).
    static func opened(by r: LogRecord, embed: Bool, retain: Bool = false) -> GroupAccumulator {
        var r = r
        return opened(taking: &r, id: r.requestID, embed: embed, retain: retain)
    }

    /// The group `r` opens under `id` (`r`'s request id, which the caller may have moved out of it), moving
    /// the fields it gives out of `r` (`absorb`). Made by the memberwise initializer: an initializer assigning
    /// `self`'s fields built the group in a temporary and copied it out (an outlined copy and destroy of the
    /// whole group per group opened).
    static func opened(taking r: inout LogRecord, id: String?, embed: Bool, retain: Bool = false)
        -> GroupAccumulator
    {
        var g = GroupAccumulator(
            requestID: id, requestIDHash: r.requestIDHash, start: r.time, end: r.time,
            firstSequence: r.sequence, firstPosition: r.position, firstPlace: RecordRank.place(r),
            extras: embed || retain ? GroupExtras(embedded: embed ? [] : nil, retained: retain ? [] : nil) : nil,
            keepsRecords: embed || retain)
        g.absorb(&r)
        return g
    }

    /// The out-of-line fields, created or copied so this group alone holds them (a closed group's copy in the
    /// correlator's output keeps value semantics).
    private mutating func extrasForWriting() -> GroupExtras {
        if extras == nil {
            extras = GroupExtras()
        } else if !isKnownUniquelyReferenced(&extras) {
            extras = extras!.copy()
        }
        return extras!
    }

    /// Folds a record into the aggregate.
    mutating func add(_ r: LogRecord) {
        var r = r
        absorb(&r)
    }

    /// Folds a record into the aggregate, moving the strings it wins (service, actor fields, error message)
    /// out of `r` rather than copying them: a copy was an atomic retain of a string the parse worker made on
    /// the other core, and its release when the record was dropped another. `r` is left for dropping, or,
    /// when the group keeps its records, appended first as it came.
    mutating func absorb(_ r: inout LogRecord) {
        if keepsRecords {
            let x = extrasForWriting()
            x.embedded?.append(r)
            x.retained?.append(r)
        }
        records += 1
        lines += Int64(r.lineCount)
        if (r.time, RecordRank.place(r)) < (start, firstPlace) {
            firstPosition = r.position
            firstPlace = RecordRank.place(r)
        }
        if r.time < start { start = r.time }
        if r.time > end { end = r.time }
        if r.sequence < firstSequence { firstSequence = r.sequence }
        if let level = r.level { levels[Int(level.rawValue)] += 1 }
        let rank = RecordRank(r)
        if r.service != nil {
            let timeRank = RecordRank(timeOf: r)
            if let i = services.firstIndex(where: { $0.name == r.service }) {
                if timeRank < services[i].first { services[i].first = timeRank }
            } else {
                // A second service means a request across services: room for four at once (three growths
                // were 10M instructions on dump10k), while a group of one service keeps its one slot.
                if services.count == 1 { services.reserveCapacity(4) }
                services.append(ServiceSeen(name: r.service.take()!, first: timeRank))
            }
        }
        // The record's stored actor strings, read and moved directly (its `actor` is built on each read).
        if rank < actorRanks.0, r.actorUser != nil { (actorUser, actorRanks.0) = (r.actorUser.take(), rank) }
        if rank < actorRanks.1, r.actorUserID != nil { (actorUserID, actorRanks.1) = (r.actorUserID.take(), rank) }
        if rank < actorRanks.2, r.actorIP != nil { (actorIP, actorRanks.2) = (r.actorIP.take(), rank) }
        if rank < actorRanks.3, r.actorUserAgent != nil {
            (actorUserAgent, actorRanks.3) = (r.actorUserAgent.take(), rank)
        }
        if r.http != nil {
            // The status of the last response record wins (a gateway's response closes the request).
            if let s = r.http!.status {
                let statusKey = RecordRank(latestOf: r)
                if statusKey < statusRank { (status, statusRank) = (s, statusKey) }
            }
            http.add(r.http.take()!, rank: rank)
        }
        if let level = r.level, level >= .error, r.message != nil,
            RecordRank(timeOf: r) < extras?.errorRank ?? .worst
        {
            let x = extrasForWriting()
            (x.error, x.errorRank) = (r.message.take(), RecordRank(timeOf: r))
        }
        if let a = r.action, rank < extras?.actionRank ?? .worst {
            let x = extrasForWriting()
            (x.action, x.actionRank) = (a, rank)
        }
        // The best-ranked hint wins, but one that names the object beats one that does not (a Kubernetes
        // create is named only in its ResponseComplete stage).
        if let e = r.entityHint {
            let named = e.id != nil
            let currentNamed = entityHint?.id != nil
            if (named && !currentNamed) || (named == currentNamed && rank < extras?.entityRank ?? .worst) {
                let x = extrasForWriting()
                (x.entityHint, x.entityRank) = (e, rank)
            }
        }
        if let values = r.captured {
            let x = extrasForWriting()
            if x.captured == nil { x.captured = Array(repeating: nil, count: values.count) }
            for (i, v) in values.enumerated() {
                guard let v else { continue }
                if let current = x.captured![i], !(rank < current.rank) { continue }
                x.captured![i] = (v, rank)
            }
        }
        if r.isEndMarker { endMarker = max(endMarker ?? r.time, r.time) }
    }

    /// When this group is due to close: its last record plus the idle gap, or its end marker.
    func deadline(idle: Int64) -> Int64 {
        let idleDeadline = end.plus(saturating: idle)
        if let m = endMarker { return min(idleDeadline, m.minus(saturating: 1)) }
        return idleDeadline
    }
}

/// The fields of a `GroupAccumulator` most groups lack, in one box shared by the group's copies until one of
/// them changes a field (it then gets its own box), as `LogRecord`'s rare fields are.
private final class GroupExtras: @unchecked Sendable {
    var error: String?
    var errorRank = RecordRank.worst
    var action: String?
    var actionRank = RecordRank.worst
    var entityHint: EntityRef?
    var entityRank = RecordRank.worst
    var embedded: [LogRecord]?
    var retained: [LogRecord]?
    var captured: [(value: JSONValue, rank: RecordRank)?]?

    init() {}

    init(embedded: [LogRecord]?, retained: [LogRecord]?) {
        self.embedded = embedded
        self.retained = retained
    }

    func copy() -> GroupExtras {
        let c = GroupExtras()
        (c.error, c.errorRank, c.action, c.actionRank) = (error, errorRank, action, actionRank)
        (c.entityHint, c.entityRank) = (entityHint, entityRank)
        (c.embedded, c.retained, c.captured) = (embedded, retained, captured)
        return c
    }
}
