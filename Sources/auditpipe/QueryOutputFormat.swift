import ArgumentParser

/// `--output-format` of `query`.
enum QueryOutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case jsonl, csv, xlsx
}
