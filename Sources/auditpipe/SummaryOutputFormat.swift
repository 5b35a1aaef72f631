import ArgumentParser

/// `--output-format` of `summary`.
enum SummaryOutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, csv
}
