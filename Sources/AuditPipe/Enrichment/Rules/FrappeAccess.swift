/// Frappe's Access Log, classified as its Access Log report does: a print (`method` Print or PDF), a
/// report export (`report_name` with a `file_type`), a private file download (`export_from` File), a
/// backup download (`report_name` Backup), a data export (a doctype with a `file_type`), else a view.
/// The record's fields map 1:1 onto the event's `access` block and entity; the outcome is a success (Frappe
/// logs an access only after its permission check passed). A REST record's `name` is the Access Log
/// document's own name, not a service: the event names the file it was read from instead, as for the CSV
/// export.
enum FrappeAccess {
    /// The Access Log fields read (its REST field names; the CSV export's labels become these).
    static let fields = [
        "export_from", "reference_document", "file_type", "report_name", "filters", "method", "columns", "name",
    ]

    /// Classifies `e` from the record's fields (`value`); `fileService` is the service its file's name gives.
    static func classify(_ e: inout AuditEvent, _ value: (String) -> JSONValue?, fileService: () -> String?) {
        func text(_ f: String) -> String? {
            guard let s = value(f)?.scalarText, !s.isEmpty else { return nil }
            return s
        }
        let exportFrom = text("export_from")
        let document = text("reference_document")
        let fileType = text("file_type")
        let report = text("report_name")
        let method = text("method")
        guard exportFrom != nil || report != nil || fileType != nil || method != nil else { return }
        if let name = text("name"), let i = e.services.firstIndex(of: name) {
            e.services.remove(at: i)
            if e.services.isEmpty, let file = fileService() { e.services = [file] }
        }
        let kind: String
        let action: String
        if report == "Backup" {
            (kind, action) = ("backup", "download")
        } else if exportFrom == "File" {
            (kind, action) = ("download", "download")
        } else if let m = method?.lowercased(), m == "print" || m == "pdf" {
            (kind, action) = ("print", "print")
        } else if report != nil || fileType != nil {
            (kind, action) = ("export", "export")
        } else {
            (kind, action) = ("view", "view")
        }
        var access = AuditEvent.Access(kind: kind)
        // Frappe writes "Excel" for its XLSX exports.
        access.fileType = fileType.map { $0.lowercased() == "excel" ? "XLSX" : $0.uppercased() }
        access.reportName = report
        access.filters = value("filters").map(StructuredText.parse).flatMap { $0 == .null ? nil : $0 }
        access.columns = value("columns").map(StructuredText.parse).flatMap { $0 == .null ? nil : $0 }
        access.document = document
        access.exportFrom = exportFrom
        e.access = access
        e.action = action
        // Frappe writes an access record only once the access was allowed.
        if e.outcome.result == "unknown" { e.outcome.result = "success" }
        if let report, report != "Backup", exportFrom == nil {
            e.entity.type = "report"
            e.entity.id = report
        } else if let exportFrom {
            e.entity.type = exportFrom
            e.entity.id = document
        } else if report == "Backup" {
            e.entity.type = "backup"
            e.entity.id = nil
        }
    }
}
