/// A field a log record holds itself (not under `fields`), as a filter over records names it.
enum RecordField: String, Sendable {
    case time
    case requestID = "request_id"
    case service, level, kind, user, ip, method, path, route, status

    /// True for the fields a line's parse settles: nothing after it (the joiner's continuation lines, inherited
    /// and rolled times, canonical ids, the merge) changes them, and they are read without the extra fields.
    var isSettledAtParse: Bool {
        switch self {
        case .time, .requestID: false
        case .service, .level, .kind, .user, .ip, .method, .path, .route, .status: true
        }
    }
}
