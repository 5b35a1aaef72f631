#if canImport(Glibc)
    import Glibc
#endif

/// Reads a password from standard input: from a terminal without echo (asked twice), from a pipe one line.
enum PasswordInput {
    /// The password, or nil at end of input or when the two entries differ.
    static func read(for name: String) -> String? {
        guard isatty(0) == 1 else { return readLine(strippingNewline: true).map(trimCR) }
        guard let first = readHidden("Password for \(name): ") else { return nil }
        guard let second = readHidden("Again: ") else { return nil }
        guard first == second else {
            FileHandleStderr.write("auditpipe: the passwords differ\n")
            return nil
        }
        return first
    }

    private static func readHidden(_ prompt: String) -> String? {
        FileHandleStderr.write(prompt)
        var saved = termios()
        tcgetattr(0, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(0, TCSAFLUSH, &saved)
            FileHandleStderr.write("\n")
        }
        return readLine(strippingNewline: true).map(trimCR)
    }

    private static func trimCR(_ s: String) -> String { s.hasSuffix("\r") ? String(s.dropLast()) : s }
}
