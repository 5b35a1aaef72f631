/// The line formats auditpipe reads; `auto` detects per line.
public enum InputFormat: String, Sendable, CaseIterable {
    case auto, json, logfmt, text, openstack, access
}
