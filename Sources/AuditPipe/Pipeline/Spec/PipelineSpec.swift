/// A pipeline file, loaded and checked (`auditpipe run`, `validate`, `test`).
public struct PipelineSpec: Sendable {
    /// One `inputs:` entry.
    public struct Input: Sendable, Equatable {
        /// Files, directories, globs or `-`.
        public var paths: [String]
        /// Follow the files as they grow (tail -F).
        public var follow = false
        /// Checkpoint directory for a followed input.
        public var checkpoint: String?
    }

    /// What an output writes.
    public enum OutputKind: String, Sendable, CaseIterable {
        /// Events as JSON lines.
        case jsonl
        /// Events as CSV with chosen columns.
        case csv
        /// Events into a live directory by UTC day, then rolled into verified gzip archives with manifests.
        case archive
        /// Events flagged `uncorrelated`, kept out of the other event outputs.
        case uncorrelated
        /// Rejected lines (source, line, offset, reason, raw).
        case deadLetter = "dead_letter"
        /// The run's counts as JSON.
        case stats
    }

    /// One `outputs:` entry.
    public struct Output: Sendable {
        public var kind: OutputKind
        /// File path, or for `archive` the live directory; `-` is stdout.
        public var path: String
        /// The path as a template, when it holds `{field}` placeholders (jsonl outputs only).
        public var template: PathTemplate?
        /// CSV columns (dotted paths).
        public var columns: [String]?
        /// CSV: start with a UTF-8 BOM.
        public var bom = false
        /// Only events matching this (the text as written, for messages).
        public var whereFilter: FilterExpression?
        public var whereText: String?
        /// `archive`: where the gzip archives and manifests go.
        public var archiveDirectory: String?
        /// `archive`: archive days older than this are pruned.
        public var retain: Int64?
        /// `archive`: a day is archived once it ended this long ago.
        public var olderThan: Int64 = 86_400 * UTCTime.second

        /// An output of `kind` at `path`, with the defaults for the rest.
        public init(kind: OutputKind, path: String) {
            self.kind = kind
            self.path = path
        }
    }

    /// One `tests:` case: input lines and the events expected from them.
    public struct TestCase: Sendable {
        public var name: String
        /// The YAML line of the case, for messages.
        public var line: Int
        /// The input's file name (it names the service of lines that carry none).
        public var file = "input.log"
        /// Raw input lines.
        public var input: [String]
        /// Expected events in output order, each as dotted field → value (`null` for absent).
        public var expect: [[(field: String, value: JSONValue)]]
        /// Expected number of events, when given.
        public var events: Int?
    }

    /// The pipeline's name.
    public var name: String?
    public var inputs: [Input] = []
    /// Parse, correlation and enrichment settings, and the pipeline-wide filter.
    public var options = PipelineOptions()
    public var outputs: [Output] = []
    public var tests: [TestCase] = []
}
