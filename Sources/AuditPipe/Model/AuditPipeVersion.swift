/// The one place auditpipe's version is written: `--version` prints it and archive manifests and heads carry it.
public enum AuditPipeVersion {
    /// The version number.
    public static let number = "0.4.0"
    /// How manifests name the tool that wrote them.
    public static let tool = "auditpipe \(number)"
}
