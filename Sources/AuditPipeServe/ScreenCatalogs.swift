import AuditPipe

/// Opens the archives the screen reads.
public enum ScreenCatalogs {
    /// The catalog of one archive directory: the one place a catalog implementation is chosen.
    public static func openCatalog(_ directory: String) -> any EventCatalog {
        CatalogOpening.open(archive: directory, scan: false)
    }

    /// One catalog over every directory (a union when there are several).
    public static func open(_ directories: [String]) -> any EventCatalog {
        let parts = directories.map(openCatalog)
        return parts.count == 1 ? parts[0] : CatalogUnion(parts)
    }
}
