/// The line formats auditpipe reads; `auto` detects per line. `csv` reads each file as a CSV export whose
/// rows become JSON records.
public enum InputFormat: String, Sendable, CaseIterable {
    case auto, json, logfmt, text, openstack, access, csv
}
