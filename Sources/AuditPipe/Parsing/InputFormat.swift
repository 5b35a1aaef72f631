/// The line formats auditpipe reads; `auto` detects per line. `csv` reads each file as a CSV export whose
/// rows become JSON records; `syslog` reads RFC 5424 and RFC 3164 lines that start with their `<PRI>`.
public enum InputFormat: String, Sendable, CaseIterable {
    case auto, json, logfmt, text, openstack, access, csv, syslog
}
