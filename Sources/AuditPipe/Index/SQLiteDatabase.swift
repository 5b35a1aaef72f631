import CSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A SQLite connection (serialized threading mode), the little of the C API the index needs. Failures are
/// `OutputError`s naming the database file and SQLite's message.
final class SQLiteDatabase: @unchecked Sendable {
    /// The database file.
    let path: String
    private let handle: OpaquePointer

    /// Opens (and with `create`, creates) the database at `path`.
    init(path: String, create: Bool, readOnly: Bool = false) throws(OutputError) {
        self.path = path
        if readOnly { Self.rollBackHotJournal(path) }
        var db: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
            | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "error \(rc)"
            if let db { sqlite3_close_v2(db) }
            throw OutputError(path: path, message: "cannot open the index: \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
        // Every few thousand virtual machine steps: a statement past the current deadline is interrupted.
        sqlite3_progress_handler(db, 4096, { _ in CatalogDeadline.current?.hasPassed == true ? 1 : 0 }, nil)
    }

    deinit { sqlite3_close_v2(handle) }

    /// A writer killed mid-transaction leaves a hot journal (`-journal`) that only a connection that may write
    /// can roll back: read-only, every statement failed with "attempt to write a readonly database", and
    /// `verify` reported the index unreadable where the crash had left the old index (a new-user trial). A
    /// read-write connection's first read rolls it back, as SQLite does for any writer; callers hold the archive
    /// lock, so no live writer's journal is taken for a dead one's (SQLite checks its lock as well). A database
    /// that cannot be opened for writing is left to fail as before.
    private static func rollBackHotJournal(_ path: String) {
        var st = stat()
        guard stat(path + "-journal", &st) == 0, st.st_size > 0 else { return }
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nil) == SQLITE_OK, let db
        else {
            if let db { sqlite3_close_v2(db) }
            return
        }
        sqlite3_busy_timeout(db, 10_000)
        sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nil, nil, nil)
        sqlite3_close_v2(db)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(OutputError) {
        var message: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &message) != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? lastError
            sqlite3_free(message)
            throw OutputError(path: path, message: "index: \(text)")
        }
    }

    /// Prepares one statement.
    func prepare(_ sql: String) throws(OutputError) -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw OutputError(path: path, message: "index: \(lastError) in \(sql.prefix(200))")
        }
        return SQLiteStatement(statement, database: self)
    }

    /// The first column of the first row of a query, as an integer (0 when there is none).
    func integer(_ sql: String, _ values: [SQLiteValue] = []) throws(OutputError) -> Int64 {
        let s = try prepare(sql)
        try s.bind(values)
        return try s.step() ? s.int(0) : 0
    }

    /// The rowid of the last row inserted on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A value bound to a statement parameter.
enum SQLiteValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)
}

/// A prepared statement; finalized when released.
final class SQLiteStatement {
    private let statement: OpaquePointer
    private let database: SQLiteDatabase

    init(_ statement: OpaquePointer, database: SQLiteDatabase) {
        self.statement = statement
        self.database = database
    }

    deinit { sqlite3_finalize(statement) }

    /// Binds `values` to parameters 1… after clearing the previous run.
    func bind(_ values: [SQLiteValue]) throws(OutputError) {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (i, v) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .int(let n): rc = sqlite3_bind_int64(statement, index, n)
            case .text(let s):
                rc = s.utf8CString.withUnsafeBufferPointer { p in
                    sqlite3_bind_text(statement, index, p.baseAddress, Int32(p.count - 1), sqliteTransient)
                }
            }
            guard rc == SQLITE_OK else {
                throw OutputError(path: database.path, message: "index: cannot bind: \(database.lastError)")
            }
        }
    }

    /// Binds raw UTF-8 bytes as text to parameter `index` (1-based).
    func bindText(_ index: Int32, bytes: UnsafeBufferPointer<UInt8>) throws(OutputError) {
        let rc = sqlite3_bind_text(
            statement, index, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
            Int32(bytes.count), sqliteTransient)
        guard rc == SQLITE_OK else {
            throw OutputError(path: database.path, message: "index: cannot bind: \(database.lastError)")
        }
    }

    /// Steps once: true when a row is ready, false when done.
    func step() throws(OutputError) -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case SQLITE_INTERRUPT:
            let limit = CatalogDeadline.current.map { " of \($0.seconds) s" } ?? ""
            throw OutputError(path: database.path, message: "stopped: the request ran past its limit\(limit)")
        default: throw OutputError(path: database.path, message: "index: \(database.lastError)")
        }
    }

    /// Runs a statement that returns no rows.
    func run(_ values: [SQLiteValue]) throws(OutputError) {
        try bind(values)
        _ = try step()
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(statement, column) else { return nil }
        let n = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// The column as a bound value (for dumps and comparisons).
    func value(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .int(int(column))
        default: .text(text(column) ?? "")
        }
    }
}

/// SQLITE_TRANSIENT: SQLite copies the bound bytes.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
