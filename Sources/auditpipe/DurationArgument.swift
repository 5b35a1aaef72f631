import ArgumentParser
import AuditPipe

/// A duration flag's value (`500ms`, `2s`, `5m`, `1h30m`, `7d`), parsed once by the argument parser, so an
/// invalid one is refused with the flag's help like any other bad value.
struct DurationArgument: ExpressibleByArgument, Sendable {
    /// The duration in nanoseconds.
    let nanoseconds: Int64
    /// The text as given (shown as the default in `--help`).
    let text: String

    init?(argument: String) {
        guard let ns = DurationText.parse(argument) else { return nil }
        nanoseconds = ns
        text = argument
    }

    var defaultValueDescription: String { text }
}
