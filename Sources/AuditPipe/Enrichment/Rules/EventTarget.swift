/// An event field an enrichment rule may set from a record field or a constant.
public enum EventTarget: String, Sendable, CaseIterable {
    case entityType = "entity.type"
    case entityID = "entity.id"
    case entityName = "entity.name"
    case action
    case actorUser = "actor.user"
    case actorUserID = "actor.user_id"
    case accessKind = "access.kind"
    case accessFileType = "access.file_type"
    case accessReportName = "access.report_name"
    case accessFilters = "access.filters"
    case accessColumns = "access.columns"
    case accessDocument = "access.document"
    case accessExportFrom = "access.export_from"
}
