/// Which catalog answers for an archive directory: the index when it is current, else the scan.
public enum CatalogOpening {
    /// The `IndexedCatalog` when `ARCHIVE/index.sqlite` exists, has this build's schema and covers exactly
    /// the archived days at their current manifests; otherwise (no index, stale, unreadable, or `scan`) the
    /// `ScanCatalog`, which reads the gzip day files.
    public static func open(archive root: String, scan: Bool = false) -> any EventCatalog {
        if !scan, ArchiveIndex.isCurrent(archive: root), let catalog = try? IndexedCatalog(archive: root) {
            return catalog
        }
        return ScanCatalog(root: root)
    }
}
