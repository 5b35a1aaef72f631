import CPCRE2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A PCRE2 regular expression compiled once (and JIT-compiled where the platform allows), shared read-only
/// by every parser task; each task matches with its own `RegexMatchData`.
final class CompiledRegex: @unchecked Sendable {
    let code: OpaquePointer
    /// Named groups: (group number, name), in the order the pattern opens them.
    let names: [(number: Int, name: String)]
    /// Number of capture groups.
    let captureCount: Int
    /// A byte every match must contain (PCRE2's "last code unit"), checked with `memchr` before matching.
    let requiredByte: UInt8?
    /// True when the pattern must match at the start of the subject (it starts with `^` or `\A`).
    let anchored: Bool
    /// True when the JIT compiled the pattern: matches then go straight to the machine code
    /// (`pcre2_jit_match`, which skips the interpreter's option checks).
    let jitted: Bool
    private let context: OpaquePointer?

    /// Why a pattern did not compile: PCRE2's message and the byte offset in the pattern.
    struct CompileError: Error {
        var message: String
        var offset: Int
    }

    /// Compiles `pattern` (UTF-8); `namedOnly` makes plain `( … )` groups non-capturing.
    init(_ pattern: String, namedOnly: Bool = false) throws(CompileError) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        var options = UInt32(PCRE2_UTF) | UInt32(PCRE2_DUPNAMES)
        if namedOnly { options |= UInt32(PCRE2_NO_AUTO_CAPTURE) }
        var text = pattern
        let compiled = text.withUTF8 { p in
            p.withMemoryRebound(to: UInt8.self) { b in
                pcre2_compile_8(
                    b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
            let message = n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : "error \(errorCode)"
            throw CompileError(message: message, offset: errorOffset)
        }
        code = compiled
        jitted = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        // Bound backtracking so a pathological pattern fails a line rather than hanging the run.
        let ctx = pcre2_match_context_create_8(nil)
        if let ctx { pcre2_set_match_limit_8(ctx, 1_000_000) }
        context = ctx

        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
        var nameCount: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMETABLE), &table)
        var names: [(Int, String)] = []
        if let table {
            for i in 0..<Int(nameCount) {
                let entry = table + i * Int(entrySize)
                let number = Int(entry[0]) << 8 | Int(entry[1])
                var end = 2
                while end < Int(entrySize), entry[end] != 0 { end += 1 }
                names.append(
                    (number, String(decoding: UnsafeBufferPointer(start: entry + 2, count: end - 2), as: UTF8.self)))
            }
        }
        self.names = names.sorted { $0.0 < $1.0 }
        var last: UInt32 = 0
        var hasLast: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODETYPE), &hasLast)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODEUNIT), &last)
        requiredByte = hasLast == 1 && last < 0x80 ? UInt8(last) : nil
        var argOptions: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_ALLOPTIONS), &argOptions)
        anchored = argOptions & UInt32(PCRE2_ANCHORED) != 0
    }

    deinit {
        if let context { pcre2_match_context_free_8(context) }
        pcre2_code_free_8(code)
    }

    /// Matches `subject` (valid UTF-8); fills `data`'s offsets and returns true on a match.
    func match(_ subject: UnsafeBufferPointer<UInt8>, _ data: RegexMatchData) -> Bool {
        guard let base = subject.baseAddress else {
            return [UInt8]().withUnsafeBufferPointer { empty in
                pcre2_match_8(code, UnsafePointer(bitPattern: 1)!, 0, 0, UInt32(PCRE2_NO_UTF_CHECK), data.data, context)
                    > 0
            }
        }
        if let requiredByte, memchr(base, Int32(requiredByte), subject.count) == nil { return false }
        // The subject is valid UTF-8 (lines are checked before any pattern sees them).
        if jitted { return pcre2_jit_match_8(code, base, subject.count, 0, 0, data.data, context) > 0 }
        let rc = pcre2_match_8(code, base, subject.count, 0, UInt32(PCRE2_NO_UTF_CHECK), data.data, context)
        return rc > 0
    }
}

/// Per-task scratch space for `CompiledRegex.match`: the match offsets of one regex (not shared across tasks).
final class RegexMatchData {
    let data: OpaquePointer
    let ovector: UnsafeMutablePointer<Int>

    /// Creates match data sized for `regex`.
    init(for regex: CompiledRegex) {
        data = pcre2_match_data_create_from_pattern_8(regex.code, nil)
        ovector = pcre2_get_ovector_pointer_8(data)
    }

    deinit { pcre2_match_data_free_8(data) }

    /// The byte range of group `n` in the last match, or nil when the group did not take part.
    @inline(__always)
    func range(_ n: Int) -> Range<Int>? {
        let start = ovector[2 * n]
        let end = ovector[2 * n + 1]
        guard start != Int(bitPattern: UInt(bitPattern: -1)), start <= end else { return nil }
        return start..<end
    }
}
