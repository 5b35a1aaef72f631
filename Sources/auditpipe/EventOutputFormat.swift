import ArgumentParser

/// `--output-format` of `correlate` and `filter`.
enum EventOutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case jsonl, csv
}
